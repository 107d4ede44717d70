/**
 * `npm run lint` (last step): Electronegativity, Doyensec's scanner for Electron's security
 * checklist, over the Electron entry (src-main/electron) and the built, sandboxed preload
 * (dist/preload.cjs; `npm run build` makes it). Any finding fails the lint: fix it, or, where a
 * finding is a false positive, disable that one check at its line with an `eng-disable CHECK_ID`
 * comment that says why.
 *
 * Left out: AVAILABLE_SECURITY_FIXES_GLOBAL_CHECK, which downloads Electron's release notes from
 * GitHub on every run (these machines have no network but the npm registry; the pinned Electron
 * version is kept current by its own updates, not by the lint). The scanner also fetches updated
 * translations of its messages; offline, its HTTP client retries after giving up and the retry
 * crashes the process, so its HTTP client is replaced by one that fails at once (which it handles:
 * it uses its bundled English messages).
 */
import { Module, createRequire } from 'node:module';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

interface Issue {
  id: string;
  file: string;
  location: { line: number; column: number };
  description: string;
  shortenedURL: string;
  manualReview?: boolean;
}
interface ScanResult {
  issues: Issue[];
  errors: Array<{ file: string; message: string; tolerable: boolean }>;
}
type Run = (options: Record<string, unknown>, forCli?: boolean) => Promise<ScanResult>;

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const scannerMain = require.resolve('@doyensec/electronegativity');
const offline = Object.assign(() => Promise.reject(new Error('no network for the scanner')), {
  head: () => Promise.reject(new Error('no network for the scanner')),
});
const gotPath = createRequire(scannerMain).resolve('got');
const gotModule = new Module(gotPath);
gotModule.exports = offline;
gotModule.loaded = true;
require.cache[gotPath] = gotModule;
const scanner = require(scannerMain) as Run | { default: Run };
const run = typeof scanner === 'function' ? scanner : scanner.default;
const electronVersion = (
  JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> }
).devDependencies.electron!.replace(/^[^\d]*/, '');

// One tree with what the scanner needs to judge the app as a whole (its global checks look for the
// CSP, navigation limits and the permission handler across files): the Electron entry's sources,
// the built preload and the page with its CSP.
const sources = [
  ...readdirSync(join(root, 'src-main', 'electron'))
    .filter((f) => f.endsWith('.ts') && !/\.test\.ts$/.test(f))
    .map((f) => join('src-main', 'electron', f)),
  join('dist', 'preload.cjs'),
  join('dist', 'renderer', 'index.html'),
];
const missing = sources.filter((p) => !existsSync(join(root, p)));
if (missing.length > 0) {
  console.error(`security scan: ${missing.join(', ')} not found; run \`npm run build\` first.`);
  process.exit(1);
}
const tree = await mkdtemp(join(tmpdir(), 'deckhand-scan-'));
const problems: string[] = [];
try {
  for (const p of sources) {
    await mkdir(dirname(join(tree, p)), { recursive: true });
    await copyFile(join(root, p), join(tree, p));
  }
  const { issues, errors } = await run({
    input: tree,
    output: undefined,
    isSarif: false,
    customScan: [],
    excludeFromScan: ['availablesecurityfixesglobalcheck'],
    severitySet: undefined,
    confidenceSet: undefined,
    isRelative: true,
    isVerbose: true,
    electronUpgrade: undefined,
    electronVersionOverride: electronVersion,
    parserPlugins: [],
  });
  for (const e of errors) if (!e.tolerable) problems.push(`${relative(tree, e.file)}: could not be parsed: ${e.message}`);
  for (const i of issues) {
    const where = `${i.file}:${i.location.line}:${i.location.column}`;
    problems.push(`${where} ${i.id}${i.manualReview ? ' (review required)' : ''}: ${i.description} ${i.shortenedURL}`);
  }
} finally {
  await rm(tree, { recursive: true, force: true });
}
if (problems.length > 0) {
  console.error(`Electronegativity found ${problems.length} problem(s):\n${problems.join('\n')}`);
  process.exit(1);
}
console.log(
  `security scan: no findings (Electronegativity over src-main/electron, dist/preload.cjs and the page, Electron ${electronVersion})`,
);
