/**
 * What is inside a layer, as pure functions over what a layer's tar lists (read by `read.ts`):
 * each layer's entries, whiteouts and opaque directories; what each layer did to each path
 * (added, modified, removed) against the layers below it; and dive's efficiency figures (score,
 * wasted bytes, the paths that waste them), computed by dive's rules except where opaque
 * directories make dive's figure wrong (docs/layers.md says how).
 */
import type { LayerEntryType, LayerFileEntry } from '../../../../src-shared/ipc/types.ts';

/** The contract's types: the analysis' entries cross IPC as they are (`imageLayers`). */
export type EntryType = LayerEntryType;
/** One tar entry of a layer (whiteout markers are not entries; they are `whiteouts` and `opaque`). */
export type LayerEntry = LayerFileEntry;

/** What one layer's tar holds: its entries in tar order, the paths it whites out, its opaque directories. */
export interface LayerContents {
  entries: LayerEntry[];
  /** `.wh.NAME`: NAME (absolute, clean), and everything under it, removed. */
  whiteouts: string[];
  /** `.wh..wh..opq`: the directory (absolute, clean) whose lower content this layer hides. */
  opaque: string[];
}

export type ChangeStatus = 'added' | 'modified' | 'unchanged' | 'removed';

export interface LayerChange {
  path: string;
  status: ChangeStatus;
  /** Added, modified, unchanged: the entry's size. Removed: the bytes of everything removed at and under the path. */
  size: number;
  /** The layer's entry (null for a removal). */
  entry: LayerEntry | null;
}

export interface ChangeCount {
  count: number;
  bytes: number;
}

export interface LayerChanges {
  added: ChangeCount;
  modified: ChangeCount;
  removed: ChangeCount;
  /** Every entry of the layer with its status, then every removed path, each sorted by path. */
  changes: LayerChange[];
}

export interface PathEfficiency {
  path: string;
  cumulativeSize: number;
  minimumSize: number;
  /** How many layers touch the path (dive's node count). */
  count: number;
  /** The indexes of those layers, bottom first. */
  layers: number[];
}

export interface Efficiency {
  score: number;
  wastedBytes: number;
  /** wastedBytes / the bytes of every layer but the first; null when those layers hold no bytes but some are wasted. */
  userWastedPercent: number | null;
  /** The bytes of every layer but the first (the sum of their tar entries' sizes, as dive counts them). */
  userBytes: number;
  /** The paths seen in two or more layers, largest cumulative size first (ties by path). */
  inefficiencies: PathEfficiency[];
}

/** A tar entry name made absolute and clean (`./a//b/` → `/a/b`); `..` never climbs above the root. */
export function cleanPath(name: string): string {
  const out: string[] = [];
  for (const part of name.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') out.pop();
    else out.push(part);
  }
  return `/${out.join('/')}`;
}

export const WHITEOUT_PREFIX = '.wh.';
export const OPAQUE_MARKER = '.wh..wh..opq';

function parentOf(path: string): string {
  const i = path.lastIndexOf('/');
  return i <= 0 ? '/' : path.slice(0, i);
}

function baseOf(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/**
 * Sorts a cleaned tar path into the layer: an opaque marker names its directory, a whiteout the
 * path it removes, anything else is an entry. Returns the kind.
 */
export function classifyPath(path: string): { kind: 'opaque' | 'whiteout'; target: string } | { kind: 'entry' } {
  const base = baseOf(path);
  if (base === OPAQUE_MARKER) return { kind: 'opaque', target: parentOf(path) };
  if (base.startsWith(WHITEOUT_PREFIX)) {
    const dir = parentOf(path);
    return {
      kind: 'whiteout',
      target: dir === '/' ? `/${base.slice(WHITEOUT_PREFIX.length)}` : `${dir}/${base.slice(WHITEOUT_PREFIX.length)}`,
    };
  }
  return { kind: 'entry' };
}

/** A node of the stacked (merged) file system: what the layers up to some index leave visible. */
interface StackNode {
  entry: LayerEntry | null;
  children: Map<string, StackNode>;
}

function newNode(entry: LayerEntry | null): StackNode {
  return { entry, children: new Map() };
}

class Stack {
  readonly root = newNode(null);

  get(path: string): StackNode | undefined {
    let node: StackNode | undefined = this.root;
    if (path === '/') return node;
    for (const name of path.slice(1).split('/')) {
      node = node.children.get(name);
      if (!node) return undefined;
    }
    return node;
  }

  remove(path: string): void {
    const parent = this.get(parentOf(path));
    parent?.children.delete(baseOf(path));
  }

  add(entry: LayerEntry): void {
    let node = this.root;
    for (const name of entry.path.slice(1).split('/')) {
      let child = node.children.get(name);
      if (!child) node.children.set(name, (child = newNode(null)));
      node = child;
    }
    // A non-directory replaces a directory with everything under it.
    if (entry.type !== 'dir') node.children.clear();
    node.entry = entry;
  }
}

function isDirNode(node: StackNode): boolean {
  return node.entry ? node.entry.type === 'dir' : node.children.size > 0;
}

/** The bytes at and under a stacked node. */
function bytesUnder(node: StackNode): number {
  let total = node.entry?.size ?? 0;
  for (const child of node.children.values()) total += bytesUnder(child);
  return total;
}

function sameEntry(a: LayerEntry, b: LayerEntry): boolean {
  return a.type === b.type && a.mode === b.mode && a.uid === b.uid && a.gid === b.gid && a.hash === b.hash && a.linkTarget === b.linkTarget;
}

/** A layer's tree as dive builds it: its entries, its whiteouts as nodes, and the parents neither lists. */
interface LayerNode {
  entry: LayerEntry | null;
  whiteout: boolean;
  children: Map<string, LayerNode>;
}

function layerTree(layer: LayerContents): LayerNode {
  const root: LayerNode = { entry: null, whiteout: false, children: new Map() };
  const put = (path: string, name: string, fill: (n: LayerNode) => void) => {
    let node = root;
    const parts = path === '/' ? [] : path.slice(1).split('/');
    parts[parts.length - 1] = name;
    for (const part of parts) {
      let child = node.children.get(part);
      if (!child) node.children.set(part, (child = { entry: null, whiteout: false, children: new Map() }));
      node = child;
    }
    fill(node);
  };
  for (const e of layer.entries) if (e.path !== '/') put(e.path, baseOf(e.path), (n) => (n.entry = e));
  for (const w of layer.whiteouts) put(w, WHITEOUT_PREFIX + baseOf(w), (n) => (n.whiteout = true));
  // dive adds an opaque marker's parents (not the marker): a directory only the marker names is a leaf.
  for (const d of layer.opaque) if (d !== '/') put(d, baseOf(d), () => undefined);
  return root;
}

/** Each leaf of a layer's tree (a node without children), children before parents, siblings by name. */
function leaves(node: LayerNode, path: string, out: Array<{ path: string; node: LayerNode }>): void {
  for (const name of [...node.children.keys()].sort()) {
    const child = node.children.get(name)!;
    const childPath = `${path === '/' ? '' : path}/${child.whiteout ? name.slice(WHITEOUT_PREFIX.length) : name}`;
    if (child.children.size === 0) out.push({ path: childPath, node: child });
    else leaves(child, childPath, out);
  }
}

export interface EfficiencyOptions {
  /** Ignore opaque directories as dive does (for comparing with dive; Deckhand's figure applies them). */
  diveCompatible?: boolean;
}

export interface Analysis {
  layers: LayerChanges[];
  efficiency: Efficiency;
}

/**
 * What every layer did and the image's efficiency, layers bottom first. One pass: layer i's
 * changes and efficiency visits are worked out against the stack of layers 0..i-1, then layer i
 * goes onto the stack.
 */
export function analyzeLayers(layers: LayerContents[], opts: EfficiencyOptions = {}): Analysis {
  const applyOpaque = !opts.diveCompatible;
  // The stack the changes are measured against (opaque directories always applied: that is what a
  // container sees) and the one the efficiency figures use (dive's, without them, when asked).
  const real = new Stack();
  const effStack = applyOpaque ? real : new Stack();
  const paths = new Map<string, PathEfficiency>();
  const visit = (path: string, size: number, layer: number) => {
    let data = paths.get(path);
    if (!data) paths.set(path, (data = { path, cumulativeSize: 0, minimumSize: size, count: 0, layers: [] }));
    data.cumulativeSize += size;
    if (size < data.minimumSize) data.minimumSize = size;
    data.count += 1;
    data.layers.push(layer);
  };
  /** dive's size of a whiteout: what the path held below if it was a directory, else 0. */
  const removedSize = (path: string): number => {
    const below = effStack.get(path);
    return below && isDirNode(below) ? bytesUnder(below) : 0;
  };

  let userBytes = 0;
  const out: LayerChanges[] = [];
  for (const [i, layer] of layers.entries()) {
    const layerBytes = layer.entries.reduce((n, e) => n + e.size, 0);
    if (i > 0) userBytes += layerBytes;
    const tree = layerTree(layer);

    // Efficiency: dive's visit of every leaf of the layer's tree.
    const leafList: Array<{ path: string; node: LayerNode }> = [];
    leaves(tree, '/', leafList);
    for (const { path, node } of leafList) visit(path, node.whiteout ? removedSize(path) : (node.entry?.size ?? 0), i);
    // An opaque directory hides what the layers below had under it: exactly as if the layer had
    // whited out each lower child it does not itself hold (and, inside a directory it holds again,
    // each lower grandchild it does not hold, and so on).
    if (applyOpaque) {
      const hidden = (lower: StackNode, mine: LayerNode | undefined, path: string) => {
        for (const [name, child] of lower.children) {
          const childPath = `${path === '/' ? '' : path}/${name}`;
          const own = mine?.children.get(name);
          const whitedOut = mine?.children.get(WHITEOUT_PREFIX + name)?.whiteout === true;
          if (whitedOut) continue;
          if (!own) visit(childPath, isDirNode(child) ? bytesUnder(child) : 0, i);
          else if ((own.entry ? own.entry.type === 'dir' : own.children.size > 0) && isDirNode(child)) hidden(child, own, childPath);
        }
      };
      for (const dir of layer.opaque) {
        const lower = effStack.get(dir);
        if (lower) hidden(lower, findLayerNode(tree, dir), dir);
      }
    }

    // Changes against the real stack below.
    const changes: LayerChange[] = [];
    const removed: LayerChange[] = [];
    const counts = { added: { count: 0, bytes: 0 }, modified: { count: 0, bytes: 0 }, removed: { count: 0, bytes: 0 } };
    // The layer's paths: its entries and the directories their paths imply.
    const ownPaths = new Set<string>();
    for (const e of layer.entries) for (let p = e.path; p !== '/' && !ownPaths.has(p); p = parentOf(p)) ownPaths.add(p);
    const whiteouts = new Set(layer.whiteouts);
    const opaque = new Set(layer.opaque);
    /** Whether a path this layer lists was hidden from the layers below by this layer (a whiteout at or above it, an opaque directory above it). */
    const hiddenHere = (path: string): boolean => {
      if (whiteouts.has(path)) return true;
      for (let p = parentOf(path); ; p = parentOf(p)) {
        if (whiteouts.has(p) || opaque.has(p)) return true;
        if (p === '/') return false;
      }
    };
    for (const w of layer.whiteouts) {
      const below = real.get(w);
      if (below) removed.push({ path: w, status: 'removed', size: bytesUnder(below), entry: null });
    }
    for (const dir of layer.opaque) {
      const below = real.get(dir);
      if (!below) continue;
      const walk = (node: StackNode, path: string) => {
        for (const [name, child] of node.children) {
          const childPath = `${path === '/' ? '' : path}/${name}`;
          if (whiteouts.has(childPath)) continue;
          const own = ownPaths.has(childPath);
          if (!own) removed.push({ path: childPath, status: 'removed', size: bytesUnder(child), entry: null });
          else if (isDirNode(child)) walk(child, childPath);
        }
      };
      walk(below, dir);
    }
    const before = new Map<string, LayerEntry | null>();
    for (const e of layer.entries) {
      if (before.has(e.path)) continue;
      const node = real.get(e.path);
      before.set(e.path, node?.entry && !hiddenHere(e.path) ? node.entry : null);
    }
    // The last entry for a path is the one that counts (a tar may list a path twice).
    const finalEntries = new Map<string, LayerEntry>();
    for (const e of layer.entries) finalEntries.set(e.path, e);
    for (const e of finalEntries.values()) {
      const prior = before.get(e.path) ?? null;
      const status: ChangeStatus = prior === null ? 'added' : sameEntry(prior, e) ? 'unchanged' : 'modified';
      if (status !== 'unchanged') {
        counts[status].count += 1;
        counts[status].bytes += e.size;
      }
      changes.push({ path: e.path, status, size: e.size, entry: e });
    }
    for (const r of removed) {
      counts.removed.count += 1;
      counts.removed.bytes += r.size;
    }
    changes.sort(byPath);
    removed.sort(byPath);
    out.push({ ...counts, changes: [...changes, ...removed] });

    // Onto the stacks: removals first, then the layer's entries.
    const apply = (stack: Stack, opaque: boolean) => {
      for (const w of layer.whiteouts) stack.remove(w);
      if (opaque) for (const dir of layer.opaque) stack.get(dir)?.children.clear();
      for (const e of finalEntries.values()) if (e.path !== '/') stack.add(e);
    };
    apply(real, true);
    if (effStack !== real) apply(effStack, false);
  }

  let minimum = 0;
  let cumulative = 0;
  const inefficiencies: PathEfficiency[] = [];
  for (const data of paths.values()) {
    minimum += data.minimumSize;
    cumulative += data.cumulativeSize;
    if (data.count >= 2) inefficiencies.push(data);
  }
  inefficiencies.sort((a, b) => b.cumulativeSize - a.cumulativeSize || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const wastedBytes = inefficiencies.reduce((n, d) => n + d.cumulativeSize, 0);
  return {
    layers: out,
    efficiency: {
      score: cumulative === 0 ? 1 : minimum / cumulative,
      wastedBytes,
      userWastedPercent: userBytes > 0 ? wastedBytes / userBytes : wastedBytes === 0 ? 0 : null,
      userBytes,
      inefficiencies,
    },
  };
}

function findLayerNode(tree: LayerNode, path: string): LayerNode | undefined {
  let node: LayerNode | undefined = tree;
  if (path === '/') return node;
  for (const name of path.slice(1).split('/')) {
    node = node.children.get(name);
    if (!node) return undefined;
  }
  return node;
}

function byPath(a: { path: string }, b: { path: string }): number {
  return a.path < b.path ? -1 : a.path > b.path ? 1 : 0;
}
