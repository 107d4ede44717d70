/**
 * Prune previews by each engine's rules, on image graphs the real engines here do not easily make
 * (intermediate images of the classic builder, digest-only images, filters). The real prunes are
 * held to their previews in src-main/test/integration/engines.itest.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { planEnginePrune, type PruneImage } from './prune-rules.ts';

function img(id: string, over: Partial<PruneImage> = {}): PruneImage {
  return {
    id,
    parentId: null,
    tags: [],
    repoDigests: [],
    created: '2026-01-01T00:00:00Z',
    labels: {},
    containers: [],
    chain: [`c-${id}`],
    layerSizes: [10],
    size: 10,
    ...over,
  };
}

/**
 * base (tagged) ← mid (untagged intermediate) ← leaf (untagged head): a classic-builder chain whose
 * tag moved away. Plus `used` (untagged head a container uses) and `digested` (only a digest reference).
 */
function graph(): PruneImage[] {
  return [
    img('base', { tags: ['base:1'], chain: ['L0'], layerSizes: [1000], size: 1000 }),
    img('mid', { parentId: 'base', chain: ['L0', 'L1'], layerSizes: [1000, 100], size: 1100 }),
    img('leaf', { parentId: 'mid', chain: ['L0', 'L1', 'L2'], layerSizes: [1000, 100, 10], size: 1110 }),
    img('used', { parentId: 'base', chain: ['L0', 'L3'], layerSizes: [1000, 7], size: 1007, containers: ['web'] }),
    img('digested', { repoDigests: ['app@sha256:1'], chain: ['L4'], layerSizes: [50], size: 50 }),
  ];
}

test('docker, dangling: untagged heads without containers go with their untagged parents; bytes are the layers released', () => {
  const plan = planEnginePrune('docker', graph(), {}, Date.parse('2026-06-01'));
  assert.deepEqual(plan.images.map((i) => i.digest).sort(), ['digested', 'leaf', 'mid']);
  assert.equal(plan.reclaimedBytes, 100 + 10 + 50, 'L1, L2 and L4; L0 stays for base and used');
  assert.deepEqual(plan.blobs.map((b) => b.digest).sort(), ['L1', 'L2', 'L4']);
});

test('docker, --all: every image no container needs, except a parent a kept image is built on', () => {
  const plan = planEnginePrune('docker', graph(), { all: true }, Date.parse('2026-06-01'));
  // base is a tagged candidate, but `used` (kept: a container) is built on it: it is only untagged.
  assert.deepEqual(plan.images.map((i) => i.digest).sort(), ['digested', 'leaf', 'mid']);
  const noContainer = graph().map((i) => ({ ...i, containers: [] }));
  const all = planEnginePrune('docker', noContainer, { all: true }, Date.parse('2026-06-01'));
  assert.deepEqual(all.images.map((i) => i.digest).sort(), ['base', 'digested', 'leaf', 'mid', 'used']);
  assert.equal(all.reclaimedBytes, 1000 + 100 + 10 + 7 + 50);
});

test('podman, dangling: untagged and childless without containers, round after round; the bytes are each image’s size, summed', () => {
  const plan = planEnginePrune('podman', graph(), {}, Date.parse('2026-06-01'));
  assert.deepEqual(plan.images.map((i) => i.digest).sort(), ['digested', 'leaf', 'mid']);
  // podman reports every removed image's whole size, shared layers and all.
  assert.equal(plan.reclaimedBytes, 1110 + 1100 + 50);
});

test('podman, --all: tagged images with children go too when no container uses them', () => {
  const plan = planEnginePrune('podman', graph(), { all: true }, Date.parse('2026-06-01'));
  assert.deepEqual(plan.images.map((i) => i.digest).sort(), ['base', 'digested', 'leaf', 'mid']);
  assert.equal(plan.reclaimedBytes, 1000 + 1100 + 1110 + 50);
});

test('until and label filters narrow the candidates for both engines', () => {
  const images = [
    img('old', { created: '2026-01-01T00:00:00Z', labels: { team: 'a' } }),
    img('new', { created: '2026-05-31T23:00:00Z', labels: { team: 'a' } }),
    img('other', { created: '2026-01-01T00:00:00Z', labels: { team: 'b' } }),
  ];
  const now = Date.parse('2026-06-01T00:00:00Z');
  for (const kind of ['docker', 'podman'] as const) {
    const plan = planEnginePrune(kind, images, { olderThanMs: 24 * 3_600_000, labels: [{ key: 'team', value: 'a' }] }, now);
    assert.deepEqual(
      plan.images.map((i) => i.digest),
      ['old'],
      kind,
    );
  }
});

test('a layer size the engine did not report makes the bytes unknown (-1), not a smaller number', () => {
  const plan = planEnginePrune('docker', [img('x', { layerSizes: [-1] })], {}, Date.now());
  assert.equal(plan.reclaimedBytes, -1);
});
