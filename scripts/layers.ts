/**
 * The dependency direction from the design notes, as a written allow-list: shared ← engine ←
 * host ← {electron, webhost, cli}; the renderer depends on shared only. `host` is the contract's
 * main side (validation, dispatch, transfers, events) that the Electron and web hosts share.
 * Each rule names a folder, the folders it may import from, and the bare modules it must not import.
 */
export interface LayerRule {
  folder: string;
  mayImport: string[];
  forbiddenModules: RegExp[];
}

const NODE = /^node:|^(fs|path|os|crypto|child_process|net|http|https|stream|util|url|zlib|worker_threads)(\/|$)/;

export const LAYERS: LayerRule[] = [
  { folder: 'src-shared', mayImport: ['src-shared'], forbiddenModules: [NODE, /^electron$/, /^react(-dom)?(\/|$)/] },
  { folder: 'src-main/engine', mayImport: ['src-shared', 'src-main/engine'], forbiddenModules: [/^electron(\/|$)/, /^react(-dom)?(\/|$)/] },
  // The test kit (fixtures, integration and reliability tests) drives whole stacks against a real registry, the host's dispatcher included; the engine itself may not.
  {
    folder: 'src-main/test',
    mayImport: ['src-shared', 'src-main/engine', 'src-main/host', 'src-main/test'],
    forbiddenModules: [/^electron(\/|$)/, /^react(-dom)?(\/|$)/],
  },
  {
    folder: 'src-main/host',
    mayImport: ['src-shared', 'src-main/engine', 'src-main/host'],
    forbiddenModules: [/^electron(\/|$)/, /^react(-dom)?(\/|$)/],
  },
  {
    folder: 'src-main/electron',
    mayImport: ['src-shared', 'src-main/engine', 'src-main/host', 'src-main/electron'],
    forbiddenModules: [/^react(-dom)?(\/|$)/],
  },
  {
    folder: 'src-main/webhost',
    mayImport: ['src-shared', 'src-main/engine', 'src-main/host', 'src-main/webhost'],
    forbiddenModules: [/^electron(\/|$)/, /^react(-dom)?(\/|$)/],
  },
  {
    folder: 'src-main/cli',
    mayImport: ['src-shared', 'src-main/engine', 'src-main/cli', 'src-main/host', 'src-main/webhost'],
    forbiddenModules: [/^electron(\/|$)/, /^react(-dom)?(\/|$)/],
  },
  { folder: 'src-renderer', mayImport: ['src-shared', 'src-renderer'], forbiddenModules: [NODE, /^electron(\/|$)/] },
];

/**
 * The engine's inner rooms, each allowed to use only the ones below it (design notes, "The shape"):
 * store ← registry ← config ← signature ← transfer ← archive, and insight on the store. The registry
 * client reads no configuration (config hands it a RegistryContext's files), so config ↔ registry
 * cannot become a cycle again. Unit tests inside a room may use any room to set up what they test.
 */
const E = 'src-main/engine';
export const ENGINE_ROOMS: Record<string, string[]> = {
  store: ['store'],
  registry: ['registry'],
  config: ['config', 'registry', 'store'],
  signature: ['signature', 'config', 'registry'],
  transfer: ['transfer', 'signature', 'config', 'registry', 'store'],
  archive: ['archive', 'transfer', 'store'],
  insight: ['insight', 'store'],
};

function roomViolations(file: string, specs: string[], resolve: (spec: string) => string): string[] {
  const room = Object.keys(ENGINE_ROOMS).find((r) => file.startsWith(`${E}/${r}/`));
  if (!room || /\.i?test\.tsx?$/.test(file)) return [];
  const allowed = ENGINE_ROOMS[room]!;
  const out: string[] = [];
  for (const spec of specs.filter((x) => x.startsWith('.'))) {
    const target = resolve(spec);
    if (!target.startsWith(`${E}/`)) continue;
    const other = target.slice(E.length + 1).split('/')[0]!;
    if (!allowed.includes(other))
      out.push(`${file}: imports ${spec} (${target}); the engine's ${room} room may use only ${allowed.join(', ')}`);
  }
  return out;
}

/** Test files may reach test fixtures and Node's test modules; the rules above still apply otherwise. */
export const TEST_EXTRA: RegExp[] = [/^node:(test|assert)/];

export function ruleFor(file: string): LayerRule | undefined {
  return LAYERS.filter((r) => file === r.folder || file.startsWith(`${r.folder}/`)).sort((a, b) => b.folder.length - a.folder.length)[0];
}

const IMPORT_RE = /(?:^|[;\s])(?:import|export)\s+(?:type\s+)?(?:[\w*{}\s,]+\s+from\s+)?['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;

export function importsOf(source: string): string[] {
  const out: string[] = [];
  for (const m of source.matchAll(IMPORT_RE)) out.push((m[1] ?? m[2])!);
  return out;
}

/** Checks one file's imports; `resolve` maps a relative specifier to a repo-relative path. */
export function violations(file: string, source: string, resolve: (spec: string) => string): string[] {
  const rule = ruleFor(file);
  if (!rule) return [];
  const isTest = /\.i?test\.tsx?$/.test(file) || file.includes('/test/fixtures/');
  const specs = importsOf(source);
  const out: string[] = roomViolations(file, specs, resolve);
  for (const spec of specs) {
    if (spec.startsWith('.')) {
      const target = resolve(spec);
      // Any test may use the test kit's fixtures; production code may not.
      const kit = isTest && target.startsWith('src-main/test/');
      if (!kit && !rule.mayImport.some((f) => target === f || target.startsWith(`${f}/`)))
        out.push(`${file}: imports ${spec} (${target}); ${rule.folder} may import only from ${rule.mayImport.join(', ')}`);
    } else if (rule.forbiddenModules.some((re) => re.test(spec)) && !(isTest && TEST_EXTRA.some((re) => re.test(spec)))) {
      out.push(`${file}: imports ${spec}, which ${rule.folder} must not use`);
    }
  }
  return out;
}
