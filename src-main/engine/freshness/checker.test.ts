/** The checker's scheduling with a fake registry: bounded concurrency overall and per host, the cache, a 429's back-off. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OCI_MANIFEST } from '../../../src-shared/oci/mediatypes.ts';
import { parseReference } from '../../../src-shared/oci/reference.ts';
import type { RegistryContext } from '../config/context.ts';
import { errorFor } from '../registry/errors.ts';
import type { CheckTarget } from './check.ts';
import { FreshnessChecker } from './checker.ts';

const d = (c: string) => `sha256:${c.repeat(64)}`;

function target(ref: string, digest = d('a')): CheckTarget {
  const r = parseReference(ref);
  return { reference: ref, ref: { ...r, tag: r.tag! }, localDigest: digest, partOf: null };
}

/** A RegistryContext whose clients answer HEADs from `answer`, counting what is in flight. */
function fakeContext(answer: (host: string, path: string) => Promise<{ status: number; headers: Record<string, string> }>) {
  const stats = { inFlight: 0, maxInFlight: 0, perHost: new Map<string, number>(), maxPerHost: 0, sent: [] as string[] };
  const ctx = {
    planPull: (input: ReturnType<typeof parseReference>) => [
      { logical: input, sources: [{ ref: input, insecure: false, mirror: undefined }] },
    ],
    client: async (domain: string) => ({
      domain,
      base: `http://${domain}`,
      async send(ex: { method: string; path: string }) {
        stats.sent.push(`${ex.method} ${domain}${ex.path}`);
        stats.inFlight++;
        stats.perHost.set(domain, (stats.perHost.get(domain) ?? 0) + 1);
        stats.maxInFlight = Math.max(stats.maxInFlight, stats.inFlight);
        stats.maxPerHost = Math.max(stats.maxPerHost, stats.perHost.get(domain)!);
        try {
          const reply = await answer(domain, ex.path);
          if (reply.status >= 400) {
            const e = errorFor(reply.status, '', { registry: domain, repository: 'r', object: 'Manifest', authenticated: false });
            if (reply.headers['retry-after']) Object.assign(e.detail!, { retryAfterMs: Number(reply.headers['retry-after']) * 1000 });
            throw e;
          }
          return { status: reply.status, headers: reply.headers, body: { dump: async () => undefined }, url: '' };
        } finally {
          stats.inFlight--;
          stats.perHost.set(domain, stats.perHost.get(domain)! - 1);
        }
      },
      async close() {},
    }),
  };
  return { ctx: ctx as unknown as RegistryContext, stats };
}

const tick = () => new Promise((r) => setTimeout(r, 1));

test('at most four checks at a time, at most two per registry host; results in the targets’ order', async () => {
  const { ctx, stats } = fakeContext(async () => {
    for (let i = 0; i < 3; i++) await tick();
    return { status: 200, headers: { 'docker-content-digest': d('a'), 'content-type': OCI_MANIFEST } };
  });
  const targets = ['a.example', 'b.example', 'c.example'].flatMap((h) => [1, 2, 3, 4].map((n) => target(`${h}/team/app:${n}`)));
  const progress: number[] = [];
  const results = await new FreshnessChecker(async () => ctx).check(targets, { onResult: (_r, done) => progress.push(done) });
  assert.deepEqual(
    results.map((r) => r.reference),
    targets.map((t) => t.reference),
  );
  assert.ok(results.every((r) => r.state === 'current'));
  assert.equal(stats.maxInFlight, 4);
  assert.equal(stats.maxPerHost, 2);
  assert.deepEqual(
    progress,
    [...Array(12).keys()].map((i) => i + 1),
  );
  assert.ok(stats.sent.every((s) => s.startsWith('HEAD ')));
});

test('a 429 leaves its host alone until Retry-After: the other tags of that host are not sent; another host still is', async () => {
  let clock = 1_000_000;
  let limiting = true;
  const { ctx, stats } = fakeContext(async (host) =>
    host === 'limited.example' && limiting
      ? { status: 429, headers: { 'retry-after': '20' } }
      : { status: 200, headers: { 'docker-content-digest': d('b'), 'content-type': OCI_MANIFEST } },
  );
  const checker = new FreshnessChecker(async () => ctx, { concurrency: 1, perHost: 1, now: () => clock });
  const targets = [target('limited.example/a:1'), target('limited.example/b:1'), target('open.example/c:1')];
  const results = await checker.check(targets);
  assert.deepEqual(
    results.map((r) => r.state),
    ['rate-limited', 'rate-limited', 'stale'],
  );
  assert.equal(results[0]!.retryAfterSeconds, 20);
  assert.equal(results[1]!.retryAfterSeconds, 20);
  assert.deepEqual(stats.sent, ['HEAD limited.example/v2/a/manifests/1', 'HEAD open.example/v2/c/manifests/1']);
  // Cached: nothing sent again within the TTL; past the Retry-After the limited host is asked again.
  stats.sent.length = 0;
  await checker.check(targets);
  assert.deepEqual(stats.sent, []);
  clock += 21_000;
  limiting = false;
  const later = await checker.check(targets);
  assert.deepEqual(stats.sent, ['HEAD limited.example/v2/a/manifests/1', 'HEAD limited.example/v2/b/manifests/1']);
  assert.deepEqual(
    later.map((r) => r.state),
    ['stale', 'stale', 'stale'],
  );
});
