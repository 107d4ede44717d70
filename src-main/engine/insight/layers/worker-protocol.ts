/**
 * What the layer reader threads and their pool say to each other, and how an error crosses the
 * thread boundary: a DeckhandError keeps its code, message and detail; any other error its name,
 * message, errno code and stack.
 */
import { DeckhandError, type ErrorCode } from '../../../../src-shared/errors.ts';
import type { Analysis } from './model.ts';

export interface ReadJob {
  kind: 'read';
  /** The layer blob's path. */
  file: string;
  /** Its digest (names it in errors, and in the cache text). */
  layer: string;
}

/** The model (model.ts) over layers given as their cache texts, bottom first. */
export interface AnalyzeJob {
  kind: 'analyze';
  layers: Array<{ digest: string; text: string }>;
  diveCompatible: boolean;
  /** Whether each layer's changes (every entry) are wanted, or only the counts. */
  files: boolean;
}

export type Job = ReadJob | AnalyzeJob;

/** What an analyze job answers: the analysis, or the layers whose text is not a cache document (read those again). */
export type AnalyzeResult = { unreadable: number[] } | { unreadable: null; analysis: Analysis; contentBytes: number[] };

export type WireThreadError =
  | { kind: 'deckhand'; code: ErrorCode; message: string; detail: Record<string, unknown> | null; cause: string | null }
  | { kind: 'error'; name: string; message: string; code: string | null; stack: string | null };

export type WorkerReply = { type: 'bytes'; bytes: number } | { type: 'done'; result: unknown } | { type: 'error'; error: WireThreadError };

const describe = (e: unknown) => (e instanceof Error ? e.message : e === undefined ? null : String(e));

export function serializeError(e: unknown): WireThreadError {
  if (e instanceof DeckhandError) {
    let detail: Record<string, unknown> | null;
    try {
      detail = e.detail ? (structuredClone(e.detail) as Record<string, unknown>) : null;
    } catch {
      detail = e.detail ? (JSON.parse(JSON.stringify(e.detail)) as Record<string, unknown>) : null;
    }
    return { kind: 'deckhand', code: e.code, message: e.message, detail, cause: describe(e.cause) };
  }
  const err = e instanceof Error ? e : new Error(String(e));
  const code = (err as NodeJS.ErrnoException).code;
  return { kind: 'error', name: err.name, message: err.message, code: typeof code === 'string' ? code : null, stack: err.stack ?? null };
}

/** The error a thread reported, rebuilt on this side. */
export function deserializeError(w: WireThreadError): Error {
  if (w.kind === 'deckhand') {
    return new DeckhandError(w.code, w.message, {
      ...(w.detail ? { detail: w.detail } : {}),
      ...(w.cause !== null ? { cause: new Error(w.cause) } : {}),
    });
  }
  const err = new Error(w.message) as NodeJS.ErrnoException;
  err.name = w.name;
  if (w.code !== null) err.code = w.code;
  if (w.stack !== null) err.stack = w.stack;
  return err;
}
