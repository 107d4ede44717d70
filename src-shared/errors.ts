/**
 * Every error Deckhand raises carries a stable `code` (like undici's `UND_ERR_*` codes) so that
 * scripts, the CLI and the renderer can branch on it, plus an optional structured `detail` and the
 * underlying `cause`. The message is written for the user: what is wrong and what to do.
 */
export type ErrorCode =
  | 'EDIGEST'
  | 'EREFERENCE'
  | 'EPLATFORM'
  | 'EMANIFEST'
  | 'EMANIFEST_TOO_LARGE'
  | 'ECONTENT_TYPE'
  | 'EDIGEST_MISMATCH'
  | 'ESIZE_MISMATCH'
  | 'ENOT_FOUND'
  | 'EUNAUTHORIZED'
  | 'EDENIED'
  | 'EREGISTRY'
  | 'ENETWORK'
  | 'ETLS'
  | 'EINSECURE'
  | 'ECANCELLED'
  | 'ELOCKED'
  | 'ESTORE'
  | 'EUSAGE'
  | 'EAUTH_CONFIG'
  | 'ENO_PLATFORM';

export class DeckhandError extends Error {
  readonly code: ErrorCode;
  readonly detail: Readonly<Record<string, unknown>> | undefined;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown; detail?: Record<string, unknown> }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'DeckhandError';
    this.code = code;
    this.detail = options?.detail;
  }
}

export function isDeckhandError(e: unknown, code?: ErrorCode): e is DeckhandError {
  return e instanceof DeckhandError && (code === undefined || e.code === code);
}
