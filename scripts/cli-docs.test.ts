import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { COMMAND_HELP, helpText } from '../src-main/cli/help.ts';
import { CLI_DOC, README, generated, withBlocks, SYNOPSIS } from './cli-docs.ts';

const STALE = 'is not what `npm run docs:cli` writes from src-main/cli/help.ts; run it and commit the result';

test("README's CLI synopsis is the `deckhand --help` text", async () => {
  const readme = await readFile(README, 'utf8');
  assert.ok(readme === generated(README, readme), `README.md ${STALE}`);
  assert.ok(readme.includes(`<!-- cli-synopsis -->\n\n\`\`\`text\n${helpText()}\n\`\`\`\n\n<!-- /cli-synopsis -->`));
});

test("docs/cli.md's synopsis and every command's usage, description, options and examples are the help table's", async () => {
  const doc = await readFile(CLI_DOC, 'utf8');
  assert.ok(doc === generated(CLI_DOC, doc), `docs/cli.md ${STALE}`);
  assert.ok(doc.includes(`\`\`\`text\n${helpText()}\n\`\`\``));
  const commands = doc.slice(doc.indexOf('<!-- cli-commands -->'), doc.indexOf('<!-- /cli-commands -->'));
  for (const [name, c] of Object.entries(COMMAND_HELP)) {
    const section = commands.slice(commands.indexOf(`### deckhand ${name}\n`));
    assert.ok(commands.includes(`### deckhand ${name}\n`), name);
    assert.ok(section.includes(c.usage), `${name}: usage`);
    for (const o of c.options) assert.ok(section.includes(`- \`${o.flag}\`: ${o.description}`), `${name}: ${o.flag}`);
    for (const e of c.examples) assert.ok(section.includes(e.command), `${name}: example`);
  }
});

test('a block is written between its markers only, and a document without them is refused', () => {
  const text = '# Title\n\nbefore\n\n<!-- cli-synopsis -->\nold text\n<!-- /cli-synopsis -->\n\nafter\n';
  const written = withBlocks(text, [SYNOPSIS], 'X.md');
  assert.equal(
    written,
    `# Title\n\nbefore\n\n<!-- cli-synopsis -->\n\n\`\`\`text\n${helpText()}\n\`\`\`\n\n<!-- /cli-synopsis -->\n\nafter\n`,
  );
  assert.equal(withBlocks(written, [SYNOPSIS], 'X.md'), written);
  assert.throws(() => withBlocks('# Title\n', [SYNOPSIS], 'X.md'), /X\.md has no <!-- cli-synopsis --> … <!-- \/cli-synopsis --> block/);
});
