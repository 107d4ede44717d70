/**
 * `npm run build`: bundles the Electron main process, the sandboxed preload, the renderer and the
 * CLI into dist/ with esbuild.
 */
import { build, type BuildOptions } from 'esbuild';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { META_CONTENT_SECURITY_POLICY } from '../src-shared/csp.ts';
import { buildCli } from './cli-build.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'dist');
/** index.html with the renderer's CSP (one definition, in src-shared/csp.ts) in its <meta> tag. */
async function writeIndexHtml(): Promise<void> {
  const html = await readFile(join(root, 'src-renderer/index.html'), 'utf8');
  if (!html.includes('__CONTENT_SECURITY_POLICY__'))
    throw new Error('src-renderer/index.html lost its __CONTENT_SECURITY_POLICY__ placeholder');
  await writeFile(join(out, 'renderer/index.html'), html.replace('__CONTENT_SECURITY_POLICY__', META_CONTENT_SECURITY_POLICY));
}

const common: BuildOptions = { bundle: true, sourcemap: true, logLevel: 'warning', absWorkingDir: root, legalComments: 'none' };

await mkdir(join(out, 'renderer'), { recursive: true });
await Promise.all([
  build({
    ...common,
    entryPoints: ['src-main/electron/main.ts'],
    outfile: 'dist/main.cjs',
    platform: 'node',
    format: 'cjs',
    target: 'node22',
    external: ['electron'],
    // import.meta.url, which CommonJS lacks: the engine finds files beside its bundle with it (the layer reader).
    banner: { js: "const __deckhandModuleUrl = require('node:url').pathToFileURL(__filename).href;" },
    define: { 'import.meta.url': '__deckhandModuleUrl' },
  }),
  build({
    ...common,
    entryPoints: ['src-main/electron/preload.ts'],
    outfile: 'dist/preload.cjs',
    platform: 'node',
    format: 'cjs',
    target: 'node22',
    external: ['electron'],
  }),
  build({
    ...common,
    entryPoints: ['src-renderer/main.tsx'],
    outfile: 'dist/renderer/app.js',
    platform: 'browser',
    format: 'esm',
    target: 'chrome130',
    jsx: 'automatic',
    minify: true,
    loader: { '.css': 'css' },
    define: { 'process.env.NODE_ENV': '"production"' },
  }),
  buildCli(out),
  writeIndexHtml(),
]);
console.log('built dist/main.cjs, dist/preload.cjs, dist/renderer/, dist/cli.mjs (+ cli-main.mjs, cli-commands/, layer-worker.mjs)');
