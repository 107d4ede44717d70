/**
 * Whether a stored tag still names what its registry's tag names (docs/freshness.md): the states a
 * check ends in, what each result carries, and the words the CLI and the app show for them.
 */

export const FRESHNESS_STATES = [
  'current',
  'stale',
  'platform-unchanged',
  'local-only',
  'auth-required',
  'rate-limited',
  'unreachable',
  'unknown',
] as const;

export type FreshnessState = (typeof FRESHNESS_STATES)[number];

export interface FreshnessResult {
  /** The stored tag, as the store names it (`127.0.0.1:5000/team/app:1.25`). */
  reference: string;
  /** The stored entry's digest (an index's, for a multi-platform pull). */
  localDigest: string;
  /** Docker-Content-Digest of the registry's tag, when the registry answered with one. */
  remoteDigest: string | null;
  state: FreshnessState;
  /** Why, in words: the registry's error, the platform compared, the Retry-After. */
  reason: string;
  /** ISO time of the check. */
  checkedAt: string;
  /** The registry's RateLimit-Remaining header as sent (`97;w=21600`), when it sent one. */
  ratelimitRemaining: string | null;
  /** With `rate-limited`: seconds the registry asked to wait (Retry-After), when it said. */
  retryAfterSeconds: number | null;
  /**
   * True when the registry's new index was fetched (one manifest GET) to compare the stored
   * platform's digest: only when the tag's index moved and the stored image is some platforms of it.
   */
  indexFetched: boolean;
  /** The base URL that answered (a mirror's, when registries.conf sent the check there). */
  endpoint: string | null;
}

/** Short words for a table cell. */
export const FRESHNESS_LABELS: Record<FreshnessState, string> = {
  current: 'current',
  stale: 'stale',
  'platform-unchanged': 'platform unchanged',
  'local-only': 'local only',
  'auth-required': 'login needed',
  'rate-limited': 'rate-limited',
  unreachable: 'unreachable',
  unknown: 'unknown',
};

/** One sentence per state, for tooltips and help. */
export const FRESHNESS_MEANINGS: Record<FreshnessState, string> = {
  current: 'The registry’s tag names the stored digest.',
  stale: 'The tag moved in the registry: it names another image now.',
  'platform-unchanged': 'The registry’s index changed, but its image for the stored platform is the one stored.',
  'local-only': 'The registry does not have this tag.',
  'auth-required': 'The registry wants a login to answer for this repository.',
  'rate-limited': 'The registry is limiting requests; the check is retried after it asked to wait.',
  unreachable: 'The registry could not be reached.',
  unknown: 'The registry answered without a Docker-Content-Digest, so nothing could be compared.',
};

/** States a person may act on by pulling again. */
export const isUpdatable = (s: FreshnessState): boolean => s === 'stale';
