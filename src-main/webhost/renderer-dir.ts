/** Where the built renderer is: beside the bundled CLI (dist/renderer), or dist/renderer of a source checkout. */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DeckhandError } from '../../src-shared/errors.ts';

export function findRendererDir(moduleUrl: string = import.meta.url): string {
  const here = dirname(fileURLToPath(moduleUrl));
  const candidates = [join(here, 'renderer'), join(here, '..', 'renderer'), join(here, '..', '..', 'dist', 'renderer')];
  const found = candidates.find((c) => existsSync(join(c, 'index.html')));
  if (!found)
    throw new DeckhandError('ESTORE', `The built app is missing (looked in ${candidates.join(' and ')}). Run \`npm run build\` first.`);
  return found;
}
