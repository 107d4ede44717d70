/** Layer forests for the tree's tests. */
import type { LayerNode } from '../../../src-shared/ipc/contract.ts';

export function layer(id: string, size: number, children: LayerNode[] = [], topOf: string[] = [], topNames?: string[]): LayerNode {
  return {
    id,
    digest: `sha256:${id.padEnd(64, '0')}`,
    size,
    uncompressed: size * 2,
    createdBy: `RUN make ${id}`,
    topOf,
    topNames: topNames ?? [...new Set(topOf.map((l) => l.replace(/ \(.*\)$/, '')))],
    children,
  };
}

/**
 * root ─ a1 (100) ─ a2 (50, top of base:1 and base:copy) ┬ a3 (30) ─ a4 (20, top of app:1)
 *                                                        └ a5 (40, top of other:1 for amd64)
 *      └ b1 (200) ─ b2 (10, top of other:1 for arm64)
 */
export function sampleForest(): LayerNode {
  return layer('root', 0, [
    layer('a1', 100, [
      layer(
        'a2',
        50,
        [layer('a3', 30, [layer('a4', 20, [], ['app:1'])]), layer('a5', 40, [], ['other:1 (linux/amd64)'])],
        ['base:1', 'base:copy'],
      ),
    ]),
    layer('b1', 200, [layer('b2', 10, [], ['other:1 (linux/arm64)'])]),
  ]);
}
