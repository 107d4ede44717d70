/** Sizes and times as the UI shows them: human units, relative times with the exact time on hover. */
import { formatAge, formatBytes } from '../../src-shared/format.ts';

// One formatter each: toLocaleString() builds a new Intl formatter on every call, which a table
// row would pay for every cell it mounts while scrolling.
const DIGITS = new Intl.NumberFormat('en-US');
const EXACT_TIME = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' });

/** The exact local time of an ISO timestamp, as titles show it (the text itself when it is not a time). */
export const exactTime = (iso: string): string => {
  const t = new Date(iso);
  return Number.isNaN(t.getTime()) ? iso : EXACT_TIME.format(t);
};

/** `1,234,567`: exact counts and byte figures for titles and dialogs. */
export const groupDigits = (n: number): string => DIGITS.format(n);

export function Bytes({ value, testId }: { value: number; testId?: string }) {
  // An engine says -1 for a figure it did not compute: unknown, never zero.
  if (value < 0) {
    return (
      <span className="bytes muted" title="The engine did not compute this figure" data-testid={testId} data-bytes="unknown">
        unknown
      </span>
    );
  }
  return (
    <span className="bytes" title={`${groupDigits(value)} bytes`} data-testid={testId} data-bytes={value}>
      {formatBytes(value)}
    </span>
  );
}

export function RelativeTime({ iso }: { iso: string | null }) {
  if (!iso) return <span className="muted">unknown</span>;
  const t = new Date(iso);
  return (
    <time dateTime={iso} title={Number.isNaN(t.getTime()) ? iso : EXACT_TIME.format(t)}>
      {formatAge(iso)}
    </time>
  );
}
