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
  | 'ENO_PLATFORM'
  /** An image archive (load) is unsafe, damaged or not an image archive. */
  | 'EARCHIVE'
  /** The signature policy (policy.json) rejected an image, is malformed, or a signing key cannot be used; the message names the rule or file. */
  | 'EPOLICY'
  /** A payload crossing the IPC boundary failed the contract's schema. */
  | 'EINVALID'
  /** A message came from a sender that may not call Deckhand (another frame, page or origin). */
  | 'EFORBIDDEN'
  /** A configuration file (registries.conf and its drop-ins, short-name-aliases.conf) is malformed. */
  | 'ECONFIG'
  /** A short name more than one search registry could serve; `detail.candidates` lists fully-qualified names. */
  | 'ESHORTNAME'
  /** registries.conf blocks the registry; the message names the file and the prefix. */
  | 'EBLOCKED'
  /** A Docker or Podman engine could not be reached or answered with a failure; the message names its address. */
  | 'EENGINE'
  /** The engine refused to remove an image a container uses (its 409); `detail.containers` names them. */
  | 'EIN_USE'
  /** An unexpected failure (a bug): the message says what happened, nothing more is known. */
  | 'EINTERNAL';

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

/** How an error crosses a process boundary (IPC, HTTP): plain data with a stable code. */
export interface WireError {
  code: string;
  message: string;
  detail: Record<string, unknown> | null;
}

/** Turns anything thrown into a WireError: DeckhandErrors keep their code and detail; anything else is EINTERNAL. */
export function toWireError(e: unknown): WireError {
  if (e instanceof DeckhandError) return { code: e.code, message: e.message, detail: plainDetail(e.detail) };
  const message = e instanceof Error ? e.message : String(e);
  const name = e instanceof Error ? e.name : typeof e;
  return { code: 'EINTERNAL', message: message || 'Unexpected error.', detail: { name } };
}

/** A JSON-safe copy of an error's detail (it crosses structured clone and JSON alike). */
function plainDetail(detail: Readonly<Record<string, unknown>> | undefined): Record<string, unknown> | null {
  if (!detail) return null;
  try {
    return JSON.parse(JSON.stringify(detail)) as Record<string, unknown>;
  } catch {
    return null;
  }
}
