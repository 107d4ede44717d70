/**
 * Property-based test of the archive reader: random entries (names with .., absolute paths, links
 * anywhere, duplicates, random bytes, JSON that is almost an image) and random bytes as a whole
 * archive. Loading always ends in a typed error or a consistent store, never a crash, a hang, or a
 * file outside the store. DECKHAND_FUZZ_RUNS raises the number of cases.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createWriteStream } from 'node:fs';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import fc from 'fast-check';
import { pack as tarPack, type Header } from 'tar-stream';
import { DeckhandError } from '../../../src-shared/errors.ts';
import { Store } from '../store/layout.ts';
import { fsck } from '../insight/fsck.ts';
import { loadArchive } from './load.ts';

const RUNS = Math.max(20, Math.floor(Number(process.env.DECKHAND_FUZZ_RUNS ?? 500) / 10));

const name = fc.oneof(
  fc.constantFrom(
    'manifest.json',
    'index.json',
    'oci-layout',
    'c.json',
    'l.tar',
    'blobs/sha256/aa',
    '../x',
    '/etc/x',
    './a/../../b',
    'a//b',
  ),
  fc.stringMatching(/^[a-z./]{1,12}$/),
);
const body = fc.oneof(
  fc.constantFrom(
    '[{"Config":"c.json","RepoTags":["x:1"],"Layers":["l.tar"]}]',
    '{"imageLayoutVersion":"1.0.0"}',
    '{"schemaVersion":2,"manifests":[]}',
    '{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}',
  ),
  fc.string(),
  fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b).toString('latin1')),
);
const entry = fc.record({ name, type: fc.constantFrom('file', 'file', 'file', 'symlink', 'link', 'directory'), linkname: name, body });

test('random archives: a typed error or a consistent store', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'deckhand-archive-fuzz-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const store = await Store.open(join(dir, 'store'));
  let n = 0;
  await fc.assert(
    fc.asyncProperty(fc.array(entry, { maxLength: 8 }), fc.boolean(), async (entries, raw) => {
      const file = join(dir, `a-${n++}.tar`);
      if (raw) {
        await writeFile(file, Buffer.from(entries.map((e) => e.body).join('')));
      } else {
        const tar = tarPack();
        const done = pipeline(tar, createWriteStream(file));
        for (const e of entries) {
          const header = {
            name: e.name,
            type: e.type,
            ...(e.type === 'symlink' || e.type === 'link' ? { linkname: e.linkname } : {}),
          } as Header;
          await new Promise<void>((r, j) => tar.entry(header, e.type === 'file' ? e.body : '', (err) => (err ? j(err) : r())));
        }
        tar.finalize();
        await done;
      }
      try {
        await loadArchive(store, file);
      } catch (e) {
        if (!(e instanceof DeckhandError)) throw e;
      }
      return true;
    }),
    { numRuns: RUNS },
  );
  // Nothing was written outside the store, and what is in it is consistent.
  assert.deepEqual(
    (await readdir(dir)).filter((f) => !f.startsWith('a-') && f !== 'store'),
    [],
  );
  assert.equal((await fsck(store)).ok, true);
});
