/**
 * Archives with the real podman, both ways and both formats: what `deckhand save` writes,
 * `podman load` reads; what `podman save` writes, `deckhand load` reads. Podman runs hermetically
 * (its own root, runroot and vfs storage in a temp folder).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateImage, skopeoCopy, writeOciLayout, type GeneratedImage } from '../fixtures/images.ts';
import { isolatedPodman } from '../fixtures/engines.ts';
import { run } from '../fixtures/tools.ts';
import { Store } from '../../engine/store/layout.ts';
import { saveArchive } from '../../engine/archive/save.ts';
import { loadArchive } from '../../engine/archive/load.ts';
import { listImages } from '../../engine/insight/images.ts';
import { fsck } from '../../engine/insight/fsck.ts';
import { createHash } from 'node:crypto';
import { putBlob } from '../../engine/store/ingest.ts';
import { resolveOne, setTag } from '../../engine/store/catalog.ts';
import { parseReference } from '../../../src-shared/oci/reference.ts';
import { OCI_INDEX } from '../../../src-shared/oci/mediatypes.ts';

let work: string;
let image: GeneratedImage;
let store: Store;
let podmanArgs: string[];
const NAME = 'registry.example/team/archived:1';

const podman = async (...args: string[]) => (await run('podman', [...podmanArgs, ...args], { timeoutMs: 120_000 })).stdout.trim();

before(async () => {
  work = await mkdtemp(join(tmpdir(), 'deckhand-archive-'));
  podmanArgs = isolatedPodman(work);
  image = await generateImage({ layers: 2, layerSize: 200_000, platform: { os: 'linux', architecture: 'amd64' }, seed: 'archive' });
  await writeOciLayout(join(work, 'src'), [{ ref: 'x', image }]);
  await skopeoCopy(`oci:${join(work, 'src')}:x`, `oci:${join(work, 'store')}:${NAME}`, { policyDir: work });
  store = await Store.open(join(work, 'store'));
});

after(async () => {
  await rm(work, { recursive: true, force: true });
});

describe('deckhand save → podman load', () => {
  for (const format of ['oci-archive', 'docker-archive'] as const) {
    test(format, async () => {
      const file = join(work, `deckhand-${format}.tar`);
      await saveArchive(store, [NAME], file, { format, platform: { os: 'linux', architecture: 'amd64' } });
      const out = await podman('load', '-i', file);
      assert.match(out, new RegExp(NAME.replace(/[.]/g, '\\.')));
      assert.equal(await podman('image', 'inspect', '--format', '{{.Id}}', NAME), image.configDigest.slice(7));
      await podman('rmi', NAME);
    });
  }
});

test('a sparse index saved with its stored platforms as a new index: podman loads it', async () => {
  const stored = await resolveOne(store, NAME);
  const absent = {
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    digest: `sha256:${'e'.repeat(64)}`,
    size: 500,
    platform: { os: 'linux', architecture: 'arm64' },
  };
  const index = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_INDEX,
      manifests: [{ ...stored.descriptor, platform: { os: 'linux', architecture: 'amd64' } }, absent],
    }),
  );
  const digest = `sha256:${createHash('sha256').update(index).digest('hex')}`;
  await putBlob(store, digest, index);
  const sparseName = 'registry.example/team/sparse:1';
  await setTag(store, parseReference(sparseName), { mediaType: OCI_INDEX, digest, size: index.length });
  const file = join(work, 'deckhand-sparse.tar');
  const saved = await saveArchive(store, [sparseName], file, { format: 'oci-archive', presentPlatforms: true });
  assert.notEqual(saved.images[0]?.digest, digest);
  await podman('load', '-i', file);
  assert.equal(await podman('image', 'inspect', '--format', '{{.Id}}', sparseName), image.configDigest.slice(7));
  await podman('rmi', sparseName);
});

describe('podman save → deckhand load', () => {
  before(async () => {
    await podman(
      'load',
      '-i',
      await (async () => {
        const f = join(work, 'seed.tar');
        await saveArchive(store, [NAME], f, { format: 'oci-archive' });
        return f;
      })(),
    );
  });

  for (const format of ['oci-archive', 'docker-archive'] as const) {
    test(format, async () => {
      const file = join(work, `podman-${format}.tar`);
      await podman('save', '--format', format, '-o', file, NAME);
      const target = await Store.open(join(work, `loaded-${format}`));
      const result = await loadArchive(target, file);
      assert.equal(result.format, format);
      const rows = await listImages(target);
      assert.equal(rows.length, 1);
      assert.equal(rows[0]?.id, image.configDigest, 'the same image: its config digest is the ID podman shows');
      assert.equal(`${rows[0]?.repository}:${rows[0]?.tag}`, NAME);
      assert.equal((await fsck(target)).ok, true);
    });
  }
});
