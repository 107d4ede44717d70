/**
 * The dependency direction from the design notes, checked by dependency-cruiser in `npm run lint`:
 * shared ← engine ← host ← {electron, webhost, cli}; the renderer depends on shared only. `host` is
 * the contract's main side (validation, dispatch, transfers, events) that the Electron and web
 * hosts share. Inside the engine, each room uses only the rooms below it: store ← registry ←
 * config ← signature ← transfer ← archive, and insight on the store (the registry client reads no
 * configuration, so config ↔ registry cannot become a cycle again).
 *
 * Tests: any test may use the test kit (src-main/test: fixtures, integration and reliability
 * tests); a unit test inside an engine room may set up its subject with any room.
 */

/** Each layer: the folders it may import from, and the packages it must not use. */
const LAYERS = {
  'src-shared': { mayImport: ['src-shared'], forbid: ['node', 'electron', 'react'] },
  'src-main/engine': { mayImport: ['src-shared', 'src-main/engine'], forbid: ['electron', 'react'] },
  // The test kit drives whole stacks against a real registry, the host's dispatcher included.
  'src-main/test': { mayImport: ['src-shared', 'src-main/engine', 'src-main/host', 'src-main/test'], forbid: ['electron', 'react'] },
  'src-main/host': { mayImport: ['src-shared', 'src-main/engine', 'src-main/host'], forbid: ['electron', 'react'] },
  'src-main/electron': { mayImport: ['src-shared', 'src-main/engine', 'src-main/host', 'src-main/electron'], forbid: ['react'] },
  'src-main/webhost': { mayImport: ['src-shared', 'src-main/engine', 'src-main/host', 'src-main/webhost'], forbid: ['electron', 'react'] },
  'src-main/cli': {
    mayImport: ['src-shared', 'src-main/engine', 'src-main/cli', 'src-main/host', 'src-main/webhost'],
    forbid: ['electron', 'react'],
  },
  'src-renderer': { mayImport: ['src-shared', 'src-renderer'], forbid: ['node', 'electron'] },
};

/** The engine's rooms and the rooms each may use (itself included). */
const ENGINE_ROOMS = {
  store: ['store'],
  registry: ['registry'],
  config: ['config', 'registry', 'store'],
  signature: ['signature', 'config', 'registry'],
  transfer: ['transfer', 'signature', 'config', 'registry', 'store'],
  archive: ['archive', 'transfer', 'store'],
  insight: ['insight', 'store'],
  // Is a stored tag still what its registry's tag names: HEADs through the registry configuration.
  freshness: ['freshness', 'insight', 'config', 'registry', 'store'],
  // Docker and Podman engines: their API, and moving images in and out through the archive pipeline.
  daemon: ['daemon', 'archive', 'transfer', 'config', 'registry', 'store', 'insight'],
};

const TEST = '\\.i?test\\.tsx?$';
const TEST_KIT = 'src-main/test/';
const alternatives = (folders) => `^(${folders.join('|')})/`;
const PACKAGES = {
  node: { dependencyTypes: ['core'] },
  electron: { path: '^node_modules/electron/' },
  react: { path: '^node_modules/(react|react-dom)/' },
};

const forbidden = [];
for (const [folder, { mayImport, forbid }] of Object.entries(LAYERS)) {
  // Production code: only the allowed folders. Tests: the test kit too.
  forbidden.push({
    name: `${folder}:imports`,
    comment: `${folder} may import only from ${mayImport.join(', ')}`,
    severity: 'error',
    from: { path: `^${folder}/`, pathNot: [TEST, `^${TEST_KIT}fixtures/`] },
    to: { path: '^src-', pathNot: alternatives(mayImport) },
  });
  forbidden.push({
    name: `${folder}:test-imports`,
    comment: `tests in ${folder} may import from ${mayImport.join(', ')} and the test kit`,
    severity: 'error',
    from: { path: [`^${folder}/.*${TEST}`, `^${folder}/fixtures/`] },
    to: { path: '^src-', pathNot: alternatives([...mayImport, 'src-main/test']) },
  });
  for (const name of forbid) {
    const what = name === 'node' ? "Node's built-in modules" : name;
    forbidden.push({
      name: `${folder}:no-${name}`,
      comment: `${folder} must not use ${what}`,
      severity: 'error',
      from: { path: `^${folder}/`, pathNot: TEST },
      to: PACKAGES[name],
    });
    forbidden.push({
      name: `${folder}:test-no-${name}`,
      // Tests run under node --test, so they may use its test runner and assertions.
      comment: `tests in ${folder} must not use ${what}${name === 'node' ? ' beyond node:test and node:assert' : ''}`,
      severity: 'error',
      from: { path: `^${folder}/.*${TEST}` },
      to: name === 'node' ? { ...PACKAGES.node, pathNot: '^(node:)?(test|assert)(/|$)' } : PACKAGES[name],
    });
  }
}
for (const [room, rooms] of Object.entries(ENGINE_ROOMS)) {
  forbidden.push({
    name: `engine-room:${room}`,
    comment: `the engine's ${room} room may use only ${rooms.join(', ')}`,
    severity: 'error',
    from: { path: `^src-main/engine/${room}/`, pathNot: TEST },
    to: { path: '^src-main/engine/[^/]+/', pathNot: alternatives(rooms.map((r) => `src-main/engine/${r}`)) },
  });
}

module.exports = {
  forbidden,
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^dist/' },
    // Type-only imports count: a layer that names another's types depends on it.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.tsx', '.js', '.mjs', '.cjs', '.json'] },
  },
};
