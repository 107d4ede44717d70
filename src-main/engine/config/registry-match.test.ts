import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { DeckhandError, isDeckhandError } from '../../../src-shared/errors.ts';
import { formatReference, parseReference } from '../../../src-shared/oci/reference.ts';
import { parseRegistriesConf } from './registries-conf-schema.ts';
import { findRegistry, matchLength, pullSources, pushTarget, rewriteReference } from './registry-match.ts';

const RUNS = Number(process.env.DECKHAND_FUZZ_RUNS ?? 500);
const FILE = '/etc/containers/registries.conf';
const conf = (text: string) => parseRegistriesConf(text, FILE);
const ref = (s: string) => parseReference(s);

test('a prefix matches at "/", "@" and a tag\'s ":" boundary only', () => {
  assert.equal(matchLength('example.com/foo/app:1', 'example.com'), 11);
  assert.equal(matchLength('example.com/foo/app:1', 'example.com/foo'), 15);
  assert.equal(matchLength('example.com/foo/app:1', 'example.com/foo/app'), 19);
  assert.equal(matchLength('example.com/foo/app@sha256:' + 'a'.repeat(64), 'example.com/foo/app'), 19);
  assert.equal(matchLength('example.com/foo/app:1', 'example.com/foo/app:1'), 21);
  assert.equal(matchLength('example.com/foobar/app:1', 'example.com/foo'), -1, 'not inside a component');
  assert.equal(matchLength('example.community/app:1', 'example.com'), -1);
  assert.equal(matchLength('example.com:5000/app:1', 'example.com'), -1, 'a host-only prefix does not take another port');
  assert.equal(matchLength('example.com:5000/app:1', 'example.com:5000'), 16);
});

test('"*.host" matches subdomains (any depth, any port) at the start only', () => {
  assert.equal(matchLength('a.example.com/x:1', '*.example.com'), 13);
  assert.equal(matchLength('b.a.example.com:5000/x:1', '*.example.com'), 15);
  assert.equal(matchLength('example.com/x:1', '*.example.com'), -1, 'not the domain itself');
  assert.equal(matchLength('evil.com/a.example.com/x:1', '*.example.com'), -1);
  assert.equal(matchLength('aexample.com/x:1', '*.example.com'), -1);
  assert.equal(matchLength('A.Example.COM/x:1', '*.example.com'), 13, 'host names are case-insensitive');
});

test('the longest matching prefix wins', () => {
  const c = conf(
    '[[registry]]\nlocation = "example.com"\n[[registry]]\nlocation = "example.com/foo"\ninsecure = true\n[[registry]]\nprefix = "*.example.com"\nblocked = true\n[[registry]]\nprefix = "x.example.com/team"\nlocation = "y.example.com/team"\n',
  );
  assert.equal(findRegistry(c, 'example.com/foo/app:1')?.prefix, 'example.com/foo');
  assert.equal(findRegistry(c, 'example.com/bar/app:1')?.prefix, 'example.com');
  assert.equal(findRegistry(c, 'x.example.com/other:1')?.prefix, '*.example.com');
  assert.equal(findRegistry(c, 'x.example.com/team/app:1')?.prefix, 'x.example.com/team');
  assert.equal(findRegistry(c, 'quay.io/app:1'), undefined);
});

test('location replaces the matched part and keeps the rest', () => {
  const rule = { prefix: 'example.com/foo', file: FILE };
  assert.equal(
    formatReference(rewriteReference(ref('example.com/foo/myimage:latest'), rule, 'internal.example.net/bar')),
    'internal.example.net/bar/myimage:latest',
  );
  assert.equal(
    formatReference(rewriteReference(ref('example.com/foo/a/b@sha256:' + 'b'.repeat(64)), rule, 'm.local:5000')),
    `m.local:5000/a/b@sha256:${'b'.repeat(64)}`,
  );
  assert.equal(
    formatReference(rewriteReference(ref('docker.io/library/nginx:1'), { prefix: 'docker.io', file: FILE }, 'mirror.gcr.io')),
    'mirror.gcr.io/library/nginx:1',
  );
  assert.equal(
    formatReference(rewriteReference(ref('a.example.com/x:1'), { prefix: '*.example.com', file: FILE }, '')),
    'a.example.com/x:1',
    'an empty location keeps the name',
  );
  assert.throws(
    () => rewriteReference(ref('example.com/foo/app:1'), { prefix: 'example.com/foo/app', file: FILE }, 'other.io/UPPER'),
    (e: unknown) => isDeckhandError(e, 'ECONFIG') && e.message.includes(FILE) && e.message.includes('"example.com/foo/app"'),
  );
});

test('a pull tries the eligible mirrors in order, then the primary', () => {
  const c = conf(`
[[registry]]
prefix = "example.com/foo"
location = "internal.example.net/bar"
[[registry.mirror]]
location = "m0.local/mirror-for-foo"
[[registry.mirror]]
location = "m1.local/mirrors/foo"
insecure = true
[[registry.mirror]]
location = "digests.local/foo"
pull-from-mirror = "digest-only"
[[registry.mirror]]
location = "tags.local/foo"
pull-from-mirror = "tag-only"
[[registry]]
location = "pinned.io"
mirror-by-digest-only = true
[[registry.mirror]]
location = "pinned-mirror.io"
`);
  const show = (s: string) =>
    pullSources(c, ref(s)).map((p) => `${formatReference(p.ref)}${p.insecure ? ' (insecure)' : ''}${p.mirror ? ` [${p.mirror}]` : ''}`);
  assert.deepEqual(show('example.com/foo/image:latest'), [
    'm0.local/mirror-for-foo/image:latest [m0.local/mirror-for-foo]',
    'm1.local/mirrors/foo/image:latest (insecure) [m1.local/mirrors/foo]',
    'tags.local/foo/image:latest [tags.local/foo]',
    'internal.example.net/bar/image:latest',
  ]);
  const d = `@sha256:${'c'.repeat(64)}`;
  assert.deepEqual(
    show(`example.com/foo/image${d}`).map((s) => s.split(' ')[0]),
    [
      `m0.local/mirror-for-foo/image${d}`,
      `m1.local/mirrors/foo/image${d}`,
      `digests.local/foo/image${d}`,
      `internal.example.net/bar/image${d}`,
    ],
  );
  assert.deepEqual(show('pinned.io/app:1'), ['pinned.io/app:1'], 'mirror-by-digest-only: a tag goes to the primary only');
  assert.deepEqual(show(`pinned.io/app${d}`), [`pinned-mirror.io/app${d} [pinned-mirror.io]`, `pinned.io/app${d}`]);
  assert.deepEqual(show('quay.io/app:1'), ['quay.io/app:1'], 'no rule: the reference itself');
});

test('a blocked registry refuses pulls and pushes, naming the file and the prefix; insecure reaches pushes', () => {
  const c = conf(
    '[[registry]]\nprefix = "*.bad.example"\nblocked = true\n[[registry]]\nlocation = "plain.local:5000"\ninsecure = true\n[[registry]]\nprefix = "plain.local:5000/private"\nlocation = "elsewhere.io/p"\n',
  );
  for (const fn of [() => pullSources(c, ref('x.bad.example/app:1')), () => pushTarget(c, ref('x.bad.example/app:1'))]) {
    assert.throws(
      fn,
      (e: unknown) =>
        isDeckhandError(e, 'EBLOCKED') &&
        e.message.includes(FILE) &&
        e.message.includes('"*.bad.example"') &&
        (e.detail as { prefix?: string }).prefix === '*.bad.example',
    );
  }
  assert.deepEqual(pushTarget(c, ref('plain.local:5000/team/app:1')), { insecure: true });
  assert.deepEqual(pushTarget(c, ref('quay.io/team/app:1')), { insecure: false });
  assert.deepEqual(pushTarget(c, ref('plain.local:5000/private/app:1')), { insecure: false }, 'the longest prefix decides, for pushes too');
});

test('property: matching and planning never crash on arbitrary references and prefixes', () => {
  const c = conf(
    '[[registry]]\nprefix = "*.example.com"\nlocation = "m.io/w"\n[[registry]]\nlocation = "docker.io/library"\n[[registry.mirror]]\nlocation = "mirror.local/lib"\n[[registry]]\nprefix = "a.io/x"\nlocation = "b.io"\n',
  );
  const component = fc.stringMatching(/^[a-z0-9]{1,6}(?:[._-][a-z0-9]{1,4})?$/);
  const host = fc.oneof(
    fc.constantFrom('docker.io', 'a.io', 'x.example.com', 'example.com', 'localhost:5000', '[::1]:5000'),
    fc.stringMatching(/^[a-z0-9.-]{1,20}(:[0-9]{1,5})?$/),
  );
  const refText = fc
    .tuple(host, fc.array(component, { minLength: 1, maxLength: 3 }), fc.option(fc.stringMatching(/^[a-zA-Z0-9_][a-zA-Z0-9_.-]{0,10}$/)))
    .map(([h, p, t]) => `${h}/${p.join('/')}${t ? `:${t}` : ''}`);
  fc.assert(
    fc.property(fc.oneof(refText, fc.string()), fc.string(), (text, prefix) => {
      const n = matchLength(text, prefix);
      assert.ok(n === -1 || (n >= 0 && n <= text.length));
      let parsed;
      try {
        parsed = parseReference(text);
      } catch {
        return;
      }
      try {
        const sources = pullSources(c, parsed);
        assert.ok(sources.length >= 1 && sources.at(-1)!.mirror === undefined);
      } catch (e) {
        assert.ok(e instanceof DeckhandError, String(e));
      }
    }),
    { numRuns: RUNS },
  );
});
