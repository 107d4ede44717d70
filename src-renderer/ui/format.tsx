/** Sizes and times as the UI shows them: human units, relative times with the exact time on hover. */
import { formatAge, formatBytes } from '../../src-shared/format.ts';

export function Bytes({ value, testId }: { value: number; testId?: string }) {
  return (
    <span className="bytes" title={`${value.toLocaleString('en-US')} bytes`} data-testid={testId} data-bytes={value}>
      {formatBytes(value)}
    </span>
  );
}

export function RelativeTime({ iso }: { iso: string | null }) {
  if (!iso) return <span className="muted">unknown</span>;
  const t = new Date(iso);
  return (
    <time dateTime={iso} title={Number.isNaN(t.getTime()) ? iso : t.toLocaleString()}>
      {formatAge(iso)}
    </time>
  );
}
