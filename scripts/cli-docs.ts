/**
 * `npm run docs:cli`: writes, from the CLI's help table (src-main/cli/help.ts), the generated parts
 * of the documents, each between its markers, leaving the rest as it is:
 * - the synopsis (the `deckhand --help` text) in README.md and docs/cli.md, between
 *   `<!-- cli-synopsis -->` and `<!-- /cli-synopsis -->`;
 * - every command's usage, description, options and examples in docs/cli.md, between
 *   `<!-- cli-commands -->` and `<!-- /cli-commands -->`.
 * cli-docs.test.ts fails when a document differs from what this would write, so the documents say
 * what `deckhand --help` says.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { COMMAND_HELP, GLOBAL_OPTIONS, helpText, type CommandHelp, type OptionHelp } from '../src-main/cli/help.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
export const CLI_DOC = join(root, 'docs', 'cli.md');
export const README = join(root, 'README.md');

/** A generated part of a document: what goes between `<!-- NAME -->` and `<!-- /NAME -->`. */
interface Block {
  name: string;
  body: () => string;
}

function fence(text: string, lang = 'text'): string {
  return `\`\`\`${lang}\n${text}\n\`\`\``;
}

function optionList(options: readonly OptionHelp[]): string {
  return options.map((o) => `- \`${o.flag}\`: ${o.description}`).join('\n');
}

function commandSection(name: string, c: CommandHelp): string {
  const examples = c.examples.flatMap((e) => (e.note ? [`# ${e.note}`, e.command] : [e.command])).join('\n');
  return [`### deckhand ${name}`, c.summary, fence(c.usage), c.description, optionList(c.options), 'Examples:', fence(examples, 'sh')].join(
    '\n\n',
  );
}

export const SYNOPSIS: Block = { name: 'cli-synopsis', body: () => fence(helpText()) };

export const COMMANDS: Block = {
  name: 'cli-commands',
  body: () =>
    [
      '## Every command',
      '<!-- Written by `npm run docs:cli` from src-main/cli/help.ts: change that file, then run it. -->',
      'Every command also takes these options:',
      optionList(GLOBAL_OPTIONS),
      ...Object.entries(COMMAND_HELP).map(([name, c]) => commandSection(name, c)),
    ].join('\n\n'),
};

/** `text` with each block's markers around what the help table says now; a document without a block's markers is refused. */
export function withBlocks(text: string, blocks: readonly Block[], file: string): string {
  for (const block of blocks) {
    const start = `<!-- ${block.name} -->`;
    const end = `<!-- /${block.name} -->`;
    const i = text.indexOf(start);
    const j = text.indexOf(end);
    if (i < 0 || j < i) throw new Error(`${file} has no ${start} … ${end} block; put the markers back where it goes.`);
    text = `${text.slice(0, i)}${start}\n\n${block.body()}\n\n${text.slice(j)}`;
  }
  return text;
}

/** What `npm run docs:cli` makes of `file` (README.md or docs/cli.md). */
export function generated(file: string, text: string): string {
  return withBlocks(text, file === CLI_DOC ? [SYNOPSIS, COMMANDS] : [SYNOPSIS], file);
}

if (import.meta.main) {
  for (const file of [README, CLI_DOC]) await writeFile(file, generated(file, await readFile(file, 'utf8')));
  console.log('wrote the CLI synopsis in README.md and docs/cli.md, and every command in docs/cli.md');
}
