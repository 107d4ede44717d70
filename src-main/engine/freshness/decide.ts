/**
 * The state a freshness check ends in, from what the registry answered (docs/freshness.md). Pure:
 * the HEAD's digest and media type, the new index when one was fetched, or the request's error.
 */
import { isDeckhandError } from '../../../src-shared/errors.ts';
import type { FreshnessState } from '../../../src-shared/freshness.ts';
import { shortDigest } from '../../../src-shared/oci/digest.ts';
import type { ImageIndex } from '../../../src-shared/oci/manifest.ts';
import { isManifestMediaType } from '../../../src-shared/oci/mediatypes.ts';
import { formatPlatform, parsePlatform, platformsEqual } from '../../../src-shared/oci/platform.ts';
import type { ManifestHead } from '../registry/manifest-head.ts';

/** A stored platform of an index: its platform (`linux/arm64`) and its manifest's digest. */
export interface StoredPlatform {
  platform: string;
  digest: string;
}

/** What the store holds under a tag, as far as a check needs it. */
export interface StoredTag {
  localDigest: string;
  /**
   * For an index stored with only some of its platforms (a single-platform pull of a
   * multi-platform tag): those platforms. Null for a single manifest or a whole index.
   */
  partOf: StoredPlatform[] | null;
}

export interface Verdict {
  state: FreshnessState;
  remoteDigest: string | null;
  reason: string;
  ratelimitRemaining: string | null;
  retryAfterSeconds: number | null;
}

/** After the HEAD: a verdict, or the new index's digest to fetch before one can be given. */
export type HeadDecision = { verdict: Verdict } | { fetchIndex: string };

const verdict = (
  state: FreshnessState,
  remoteDigest: string | null,
  reason: string,
  ratelimitRemaining: string | null = null,
): Verdict => ({
  state,
  remoteDigest,
  reason,
  ratelimitRemaining,
  retryAfterSeconds: null,
});

/**
 * From a HEAD's answer. The index is fetched only when the tag's digest moved, the registry says it
 * is an index (or says nothing of its type), the stored image is some platforms of an index, and
 * `headOnly` is off; with `headOnly` that case is `stale`, saying the platform was not compared.
 */
export function decideFromHead(stored: StoredTag, head: ManifestHead, headOnly: boolean): HeadDecision {
  const limit = head.ratelimitRemaining;
  if (head.digest === null)
    return { verdict: verdict('unknown', null, 'The registry answered the HEAD without a Docker-Content-Digest header.', limit) };
  if (head.digest === stored.localDigest)
    return { verdict: verdict('current', head.digest, 'The registry’s tag names the stored digest.', limit) };
  const moved = `The tag now names ${shortDigest(head.digest)}; the store has ${shortDigest(stored.localDigest)}.`;
  if (stored.partOf === null || stored.partOf.length === 0) return { verdict: verdict('stale', head.digest, moved, limit) };
  if (head.mediaType !== null && isManifestMediaType(head.mediaType))
    return { verdict: verdict('stale', head.digest, `${moved} It is a single-platform image now, not an index.`, limit) };
  if (headOnly)
    return {
      verdict: verdict(
        'stale',
        head.digest,
        `${moved} The stored platform was not compared (--head-only: the new index was not fetched).`,
        limit,
      ),
    };
  return { fetchIndex: head.digest };
}

/** After fetching the tag's new index: does it hold the stored platforms' manifests unchanged? */
export function decideFromIndex(stored: StoredTag, remoteDigest: string, index: ImageIndex, limit: string | null = null): Verdict {
  const changed: string[] = [];
  for (const p of stored.partOf ?? []) {
    let wanted;
    try {
      wanted = parsePlatform(p.platform);
    } catch {
      changed.push(p.platform);
      continue;
    }
    const remote = index.manifests.find((d) => d.platform && platformsEqual(d.platform, wanted));
    if (!remote) changed.push(`${formatPlatform(wanted)} (no longer in the index)`);
    else if (remote.digest !== p.digest) changed.push(`${formatPlatform(wanted)} (now ${shortDigest(remote.digest)})`);
  }
  const platforms = (stored.partOf ?? []).map((p) => p.platform).join(', ');
  if (changed.length === 0)
    return verdict(
      'platform-unchanged',
      remoteDigest,
      `The tag’s index moved to ${shortDigest(remoteDigest)}, but its ${platforms} image is the one stored (the index was fetched to compare).`,
      limit,
    );
  return verdict(
    'stale',
    remoteDigest,
    `The tag’s index moved to ${shortDigest(remoteDigest)} and its image changed for ${changed.join(', ')}.`,
    limit,
  );
}

/** The state a failed request means: 404 local-only, 401/403 auth-required, 429 rate-limited, else unreachable. */
export function decideFromError(e: unknown): Verdict {
  const message = e instanceof Error ? e.message : String(e);
  const detail = (isDeckhandError(e) ? e.detail : undefined) as
    { status?: unknown; retryAfterMs?: unknown; ratelimitRemaining?: unknown } | undefined;
  const limit = typeof detail?.ratelimitRemaining === 'string' ? detail.ratelimitRemaining : null;
  if (isDeckhandError(e, 'ENOT_FOUND')) return verdict('local-only', null, message, limit);
  if (isDeckhandError(e, 'EUNAUTHORIZED') || isDeckhandError(e, 'EDENIED') || isDeckhandError(e, 'EAUTH_CONFIG'))
    return verdict('auth-required', null, message, limit);
  if (detail?.status === 429) {
    const after = typeof detail.retryAfterMs === 'number' ? Math.ceil(detail.retryAfterMs / 1000) : null;
    return {
      ...verdict('rate-limited', null, `${message}${after !== null ? ` It asked to wait ${after} s.` : ''}`, limit),
      retryAfterSeconds: after,
    };
  }
  return verdict('unreachable', null, message, limit);
}
