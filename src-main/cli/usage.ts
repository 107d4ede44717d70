import { DeckhandError } from '../../src-shared/errors.ts';

export function usageError(usage: string, problem: string): DeckhandError {
  return new DeckhandError('EUSAGE', `${problem}.\nUsage: ${usage}`);
}

/** `--format` accepts `json` or nothing (a human table). */
export function wantsJson(format: string | undefined, usage: string): boolean {
  if (format === undefined || format === 'table') return false;
  if (format === 'json') return true;
  throw usageError(usage, `unknown --format ${format} (use json)`);
}
