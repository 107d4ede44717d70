import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDaemonReference, daemonTargetName } from './daemon-ref.ts';
import { parseCopyEndpoint } from './copy.ts';
import { jsonMessages, parseLoadAnswer } from './load-answer.ts';
import { parseEndpoint } from '../transfer/copy.ts';

const usage = (e: unknown) => (e as { code?: string }).code === 'EUSAGE';
const ID = `sha256:${'ab'.repeat(32)}`;

test('docker-daemon: references parse as skopeo reads them', () => {
  assert.deepEqual(parseDaemonReference('localhost/app:1', 'source'), {
    kind: 'name',
    ref: { domain: 'localhost', path: 'app', tag: '1' },
    text: 'localhost/app:1',
  });
  // No tag: :latest, as the engine would default it; a registry port is not a tag.
  const bare = parseDaemonReference('registry.example:5000/team/app', 'destination');
  assert.equal(bare.text, 'registry.example:5000/team/app:latest');
  assert.equal(daemonTargetName(bare), 'registry.example:5000/team/app:latest');
  assert.equal(daemonTargetName(parseDaemonReference('busybox:1', 'destination')), 'docker.io/library/busybox:1');
  assert.equal(parseDaemonReference('busybox', 'source').text, 'busybox:latest');
  // An image ID is a source only.
  assert.deepEqual(parseDaemonReference(ID, 'source'), { kind: 'id', id: ID, text: ID });
  assert.throws(() => parseDaemonReference(ID, 'destination'), usage);
  assert.throws(() => parseDaemonReference('sha256:abc', 'source'), usage);
  // A digest, an empty name, a malformed one.
  assert.throws(
    () => parseDaemonReference(`app@${ID}`, 'source'),
    (e: Error) => usage(e) && e.message.includes('tag, not a digest'),
  );
  assert.throws(() => parseDaemonReference('', 'source'), usage);
  assert.throws(() => parseDaemonReference('Bad/Name', 'source'), usage);
});

test('copy endpoints: docker-daemon: is a plugged transport checked for its role; the pipeline room alone refuses it', () => {
  assert.deepEqual(parseCopyEndpoint('docker-daemon:app:1', 'source'), { kind: 'plugged', transport: 'docker-daemon', rest: 'app:1' });
  assert.deepEqual(parseCopyEndpoint(ID.replace(/^/, 'docker-daemon:'), 'source'), {
    kind: 'plugged',
    transport: 'docker-daemon',
    rest: ID,
  });
  assert.throws(() => parseCopyEndpoint(`docker-daemon:${ID}`, 'destination'), usage);
  assert.equal(parseCopyEndpoint('docker://registry.example/app:1', 'destination').kind, 'docker');
  assert.deepEqual(parseCopyEndpoint('app:1', 'destination'), { kind: 'store', ref: 'app:1' });
  assert.throws(
    () => parseEndpoint('docker-daemon:app:1'),
    (e: Error) => usage(e) && e.message.includes('no engine'),
  );
  assert.throws(() => parseCopyEndpoint('containers-storage:app:1', 'source'), usage);
});

test("a load's answer: Docker's JSON messages, Podman's names, and errors that arrive in-band after a 200", () => {
  assert.deepEqual(parseLoadAnswer('{"stream":"Loaded image: localhost/app:1\\n"}\r\n', 'unix:///d.sock'), {
    loaded: ['localhost/app:1'],
  });
  assert.deepEqual(parseLoadAnswer(`{"stream":"Loaded image ID: ${ID}\\n"}`, 'e'), { loaded: [ID] });
  assert.deepEqual(parseLoadAnswer('{"Names":["localhost/app:1","localhost/app:2"]}', 'e'), {
    loaded: ['localhost/app:1', 'localhost/app:2'],
  });
  // Docker's progress (quiet=0) before the answer; messages without newlines between them.
  assert.deepEqual(
    parseLoadAnswer('{"status":"Loading layer","progressDetail":{"current":1,"total":2},"id":"x"}{"stream":"Loaded image: a:1\\n"}', 'e'),
    { loaded: ['a:1'] },
  );
  const inBand =
    '{"stream":"Loading layer\\n"}\n{"errorDetail":{"message":"open /var/lib/docker/tmp/x: no space left on device"},"error":"open /var/lib/docker/tmp/x: no space left on device"}\n';
  assert.throws(
    () => parseLoadAnswer(inBand, 'unix:///var/run/docker.sock'),
    (e: Error & { code?: string; detail?: Record<string, unknown> }) =>
      e.code === 'EENGINE' &&
      e.message === 'unix:///var/run/docker.sock refused the image: open /var/lib/docker/tmp/x: no space left on device' &&
      e.detail?.engineMessage === 'open /var/lib/docker/tmp/x: no space left on device',
  );
  // Only "error" (older engines), and a brace inside a string does not split a message.
  assert.throws(
    () => parseLoadAnswer('{"error":"invalid tar header: {bad}"}', 'e'),
    (e: Error & { code?: string }) => e.code === 'EENGINE' && e.message.endsWith('invalid tar header: {bad}'),
  );
  // An answer that says nothing was loaded is not a success.
  assert.throws(
    () => parseLoadAnswer('', 'e'),
    (e: Error & { code?: string }) => e.code === 'EENGINE',
  );
  assert.throws(
    () => parseLoadAnswer('{"stream":"\\n"}', 'e'),
    (e: Error & { code?: string }) => e.code === 'EENGINE',
  );
  assert.deepEqual(jsonMessages('{"a":"}\\"{"} junk {"b":{"c":1}}'), [{ a: '}"{' }, { b: { c: 1 } }]);
});
