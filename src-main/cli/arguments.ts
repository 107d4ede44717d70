/**
 * One rule for exit codes: a mistake in what the user typed is a usage error (exit 2), whatever
 * finds it; a failure while doing the work is exit 1; a cancel is 130. The engine reports a
 * malformed reference (EREFERENCE) or platform (EPLATFORM) the same way whether it came from the
 * command line or from elsewhere (an archive's tag, a config file), so the command decides: the
 * error is the user's when the value it names is one of the command's arguments.
 */
import { DeckhandError } from '../../src-shared/errors.ts';

const ARGUMENT_CODES = new Set(['EREFERENCE', 'EPLATFORM']);

/** Whether `value` is `arg` or its tail after a transport or option prefix (`docker://REF`, `oci:DIR:REF`, `--platform=P`). */
function typed(args: readonly string[], value: string): boolean {
  return args.some((a) => a === value || (a.endsWith(value) && /[:=/]$/.test(a.slice(0, a.length - value.length))));
}

/** `e` as a usage error when it is about a value the user typed in `args`; otherwise `e` itself. */
export function asUsageError(e: unknown, args: readonly string[]): unknown {
  if (!(e instanceof DeckhandError) || !ARGUMENT_CODES.has(e.code)) return e;
  const value = e.detail?.input ?? e.detail?.value;
  if (typeof value !== 'string' || value === '' || !typed(args, value)) return e;
  return new DeckhandError('EUSAGE', e.message, { cause: e, ...(e.detail ? { detail: { ...e.detail } } : {}) });
}

/** Awaits `work`, turning a malformed reference or platform among `args` into a usage error (exit 2). */
export async function checkingArguments<T>(args: readonly string[], work: Promise<T> | (() => Promise<T>)): Promise<T> {
  try {
    return await (typeof work === 'function' ? work() : work);
  } catch (e) {
    throw asUsageError(e, args);
  }
}
