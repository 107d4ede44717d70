/**
 * The `deckhand` command's build, so that a command loads one file of code: OUT/cli.mjs (the entry,
 * CLI_ENTRY) loads OUT/cli-main.mjs (main.ts: arguments and help, no engine code), which loads
 * OUT/cli-commands/NAME.mjs, the command with everything it uses in one bundle. One file per command
 * starts faster than esbuild's code splitting, whose shared chunks made a pull load about 30 files
 * (importing them took about twice as long as one bundle of the same code). DeckhandError is the one
 * module they share (cli-commands/errors.mjs), so that main's `instanceof DeckhandError` recognises
 * what a command throws.
 */
import { build, type BuildOptions, type Plugin } from 'esbuild';
import { chmod, mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** The Node major version the bundles need (package.json's engines; node:tls's getCACertificates, for one). */
export const NODE_MAJOR = 24;

/**
 * The entry, dist/cli.mjs. It first checks the Node it runs on, in code any Node from 14 on parses
 * (no top-level await, no static import of a node: URL), so that an older Node says what to do
 * instead of failing inside the bundle with a SyntaxError about a missing export. Then it turns on
 * V8's compile cache before loading the bundle, which takes a cold start from about 60 to about 40 ms.
 */
export const CLI_ENTRY = [
  '#!/usr/bin/env node',
  `if (Number(process.versions.node.split('.')[0]) < ${NODE_MAJOR}) {`,
  '  process.stderr.write(',
  `    'deckhand: this is Node ' + process.versions.node + ' (' + process.execPath + '), and Deckhand needs Node ${NODE_MAJOR}. ' +`,
  `      "From the project, run \`npx deckhand …\`, which uses the project's pinned Node ${NODE_MAJOR}; or install Node ${NODE_MAJOR}.\\n",`,
  '  );',
  '  process.exit(1);',
  '}',
  "import('module')",
  '  .then(({ default: module }) => {',
  '    if (module.enableCompileCache) module.enableCompileCache();',
  "    return import('./cli-main.mjs');",
  '  })',
  '  .then((main) => main.runCli());',
  '',
].join('\n');

/** Builds the CLI into `out` (dist/ for `npm run build`). */
export async function buildCli(out: string): Promise<void> {
  const errorsModule = resolve(root, 'src-shared/errors.ts');
  const commandsDir = resolve(root, 'src-main/cli/commands');
  const node: BuildOptions = {
    bundle: true,
    sourcemap: true,
    logLevel: 'warning',
    absWorkingDir: root,
    legalComments: 'none',
    platform: 'node',
    format: 'esm',
    target: 'node22',
    outExtension: { '.js': '.mjs' },
    // Bundled CommonJS dependencies need `require` in ESM.
    banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
  };
  /** Imports of errors.ts, and main.ts's imports of a command, become imports of those built files at `prefix`. */
  const linkTo = (prefix: string): Plugin => ({
    name: 'deckhand-cli-modules',
    setup(b) {
      b.onResolve({ filter: /\.ts$/ }, (args) => {
        const path = resolve(args.resolveDir, args.path);
        if (path === errorsModule) return { path: `${prefix}errors.mjs`, external: true };
        if (args.kind === 'dynamic-import' && dirname(path) === commandsDir)
          return { path: `${prefix}${basename(path, '.ts')}.mjs`, external: true };
        return undefined;
      });
    },
  });
  const commands = (await readdir(commandsDir)).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'));
  // What earlier builds left (code splitting's chunks, commands since removed).
  await rm(join(out, 'cli-chunks'), { recursive: true, force: true });
  await rm(join(out, 'cli-commands'), { recursive: true, force: true });
  await mkdir(out, { recursive: true });
  await Promise.all([
    build({ ...node, entryPoints: { 'cli-main': 'src-main/cli/main.ts' }, outdir: out, plugins: [linkTo('./cli-commands/')] }),
    build({
      ...node,
      entryPoints: commands.map((f) => `src-main/cli/commands/${f}`),
      outdir: join(out, 'cli-commands'),
      plugins: [linkTo('./')],
    }),
    build({ ...node, entryPoints: { errors: 'src-shared/errors.ts' }, outdir: join(out, 'cli-commands') }),
    // The layer reader thread (src-main/engine/insight/layers/pool.ts finds it beside dist/main.cjs
    // or one directory above a command's bundle), for the CLI, the web host and the app alike.
    build({ ...node, entryPoints: { 'layer-worker': 'src-main/engine/insight/layers/worker.ts' }, outdir: out }),
    writeFile(join(out, 'cli.mjs'), CLI_ENTRY),
  ]);
  await chmod(join(out, 'cli.mjs'), 0o755);
}
