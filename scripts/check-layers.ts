/** `npm run lint`: enforces the layering in scripts/layers.ts over every source file. */
import { readdir, readFile } from 'node:fs/promises';
import { dirname, join, normalize, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LAYERS, violations } from './layers.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

async function* walk(dir: string): AsyncGenerator<string> {
  for (const ent of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, ent.name);
    if (ent.isDirectory()) yield* walk(p);
    else if (/\.(ts|tsx|mts)$/.test(ent.name)) yield p;
  }
}

const problems: string[] = [];
let files = 0;
for (const top of new Set(LAYERS.map((l) => l.folder.split('/')[0]!))) {
  for await (const abs of walk(join(root, top))) {
    files++;
    const file = relative(root, abs);
    const source = await readFile(abs, 'utf8');
    problems.push(...violations(file, source, (spec) => normalize(join(dirname(file), spec))));
  }
}
if (problems.length > 0) {
  console.error(`Layering violations (see scripts/layers.ts and the design notes):\n${problems.join('\n')}`);
  process.exit(1);
}
console.log(`layers ok: ${files} files checked`);
