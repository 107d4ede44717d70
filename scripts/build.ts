/**
 * `npm run build`: bundles the Electron main process, the sandboxed preload, the renderer and the
 * CLI into dist/ with esbuild.
 */
import { build, type BuildOptions } from 'esbuild';
import { mkdir, chmod, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { META_CONTENT_SECURITY_POLICY } from '../src-shared/csp.ts';

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
  build({
    ...common,
    // Split: commands load what they need on use (the web host, archives), so a command starts fast.
    entryPoints: { 'cli-main': 'src-main/cli/main.ts' },
    outdir: 'dist',
    splitting: true,
    chunkNames: 'cli-chunks/[name]-[hash]',
    outExtension: { '.js': '.mjs' },
    platform: 'node',
    format: 'esm',
    target: 'node22',
    // esbuild keeps the source's shebang; bundled CommonJS dependencies need `require` in ESM.
    banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
  }),
  // The `deckhand` entry: a few lines that turn on V8's compile cache before loading the bundle,
  // which takes a cold start from about 60 to about 40 ms.
  writeFile(
    join(out, 'cli.mjs'),
    "#!/usr/bin/env node\nimport module from 'node:module';\nmodule.enableCompileCache?.();\nconst { runCli } = await import('./cli-main.mjs');\nrunCli();\n",
  ),
  writeIndexHtml(),
]);
await chmod(join(out, 'cli.mjs'), 0o755);
console.log('built dist/main.cjs, dist/preload.cjs, dist/renderer/, dist/cli.mjs (+ cli-main.mjs)');
