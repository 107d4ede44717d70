import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { COMMAND_HELP, helpText } from '../src-main/cli/help.ts';
import { CLI_DOC, CLI_SYNOPSIS_END, CLI_SYNOPSIS_START, README, cliDoc, readmeWithSynopsis } from './cli-docs.ts';

const STALE = 'is not what `npm run docs:cli` writes from src-main/cli/help.ts; run it and commit the result';

test('docs/cli.md is what npm run docs:cli writes from the help table', async () => {
  const doc = await readFile(CLI_DOC, 'utf8');
  assert.ok(doc === (await cliDoc()), `docs/cli.md ${STALE}`);
  for (const [name, c] of Object.entries(COMMAND_HELP)) {
    assert.ok(doc.includes(`## deckhand ${name}\n`), name);
    assert.ok(doc.includes(c.usage), `${name}: usage`);
    for (const o of c.options) assert.ok(doc.includes(`- \`${o.flag}\`: ${o.description}`), `${name}: ${o.flag}`);
  }
});

test("README's CLI synopsis block is the `deckhand --help` text", async () => {
  const readme = await readFile(README, 'utf8');
  assert.ok(readme === readmeWithSynopsis(readme), `README.md's ${CLI_SYNOPSIS_START} block ${STALE}`);
  const block = readme.slice(readme.indexOf(CLI_SYNOPSIS_START), readme.indexOf(CLI_SYNOPSIS_END));
  assert.ok(block.includes(`\`\`\`text\n${helpText()}\n\`\`\``));
});

test('the synopsis is written between the markers only, and a README without them is refused', () => {
  const readme = `# Title\n\nbefore\n\n${CLI_SYNOPSIS_START}\nold text\n${CLI_SYNOPSIS_END}\n\nafter\n`;
  const written = readmeWithSynopsis(readme);
  assert.ok(written.startsWith(`# Title\n\nbefore\n\n${CLI_SYNOPSIS_START}\n`));
  assert.ok(written.endsWith(`${CLI_SYNOPSIS_END}\n\nafter\n`));
  assert.ok(!written.includes('old text') && written.includes(helpText()));
  assert.equal(readmeWithSynopsis(written), written);
  assert.throws(() => readmeWithSynopsis('# Title\n'), /has no <!-- cli-synopsis --> … <!-- \/cli-synopsis --> block/);
});
