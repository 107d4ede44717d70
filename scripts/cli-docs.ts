/**
 * `npm run docs:cli`: writes docs/cli.md (every command's usage, description, options and examples)
 * and the synopsis block of README.md (the `deckhand --help` text, between the CLI_SYNOPSIS_START
 * and CLI_SYNOPSIS_END markers) from the CLI's help table (src-main/cli/help.ts), so the documents
 * say what `deckhand --help` says. cli-docs.test.ts fails when either differs from what this
 * would write. Both are formatted by Prettier as `npm run lint` checks them.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { format, resolveConfig } from 'prettier';
import { COMMAND_HELP, GLOBAL_OPTIONS, helpText, type CommandHelp, type OptionHelp } from '../src-main/cli/help.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
export const CLI_DOC = join(root, 'docs', 'cli.md');
export const README = join(root, 'README.md');
export const CLI_SYNOPSIS_START = '<!-- cli-synopsis -->';
export const CLI_SYNOPSIS_END = '<!-- /cli-synopsis -->';

const GENERATED = '<!-- Written by `npm run docs:cli` from src-main/cli/help.ts: change that file, then run it. -->';

async function prettier(markdown: string, file: string): Promise<string> {
  return format(markdown, { ...(await resolveConfig(file)), filepath: file });
}

function fence(text: string, lang = 'text'): string {
  return `\`\`\`${lang}\n${text}\n\`\`\``;
}

function optionList(options: readonly OptionHelp[]): string {
  return options.map((o) => `- \`${o.flag}\`: ${o.description}`).join('\n');
}

function commandSection(name: string, c: CommandHelp): string {
  const examples = c.examples.flatMap((e) => (e.note ? [`# ${e.note}`, e.command] : [e.command])).join('\n');
  return [`## deckhand ${name}`, c.summary, fence(c.usage), c.description, optionList(c.options), 'Examples:', fence(examples, 'sh')].join(
    '\n\n',
  );
}

/** docs/cli.md. */
export async function cliDoc(): Promise<string> {
  const markdown = [
    '# The `deckhand` command',
    GENERATED,
    fence(helpText()),
    'Every command also takes these options:',
    optionList(GLOBAL_OPTIONS),
    'Exit codes: 0 success, 1 failure, 2 usage error, 130 cancelled.',
    ...Object.entries(COMMAND_HELP).map(([name, c]) => commandSection(name, c)),
  ].join('\n\n');
  return prettier(`${markdown}\n`, CLI_DOC);
}

/** The README with its synopsis block (between the markers) written anew; everything else as it was. */
export function readmeWithSynopsis(readme: string): string {
  const start = readme.indexOf(CLI_SYNOPSIS_START);
  const end = readme.indexOf(CLI_SYNOPSIS_END);
  if (start < 0 || end < start)
    throw new Error(
      `README.md has no ${CLI_SYNOPSIS_START} … ${CLI_SYNOPSIS_END} block for the CLI synopsis; put the markers back around it.`,
    );
  const block = [
    CLI_SYNOPSIS_START,
    fence(helpText()),
    "Each command's description, options and examples: [docs/cli.md](docs/cli.md), or `deckhand COMMAND --help`.",
    '',
  ].join('\n\n');
  return readme.slice(0, start) + block + readme.slice(end);
}

if (import.meta.main) {
  await writeFile(CLI_DOC, await cliDoc());
  await writeFile(README, readmeWithSynopsis(await readFile(README, 'utf8')));
  console.log('wrote docs/cli.md and the CLI synopsis in README.md');
}
