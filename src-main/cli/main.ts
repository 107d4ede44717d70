#!/usr/bin/env node
/**
 * The `deckhand` command: every engine capability, scriptable. `--store DIR` (or $DECKHAND_STORE)
 * picks the store; `--format json` gives machine-readable output.
 */
import { DeckhandError } from '../../src-shared/errors.ts';
import type { Command, CommandContext } from './context.ts';
import { COMMAND_HELP, commandHelpText, ENGINE_COMMANDS, helpText, isCommandName, isEngineCommand, type CommandName } from './help.ts';

export { helpText };

/**
 * Each command's code, loaded only when that command runs: `deckhand pull` loads pull's graph and
 * not the others' (their summaries, usage and options are in help.ts). The build makes each of
 * these one bundle, dist/cli-commands/NAME.mjs (scripts/cli-build.ts).
 */
const COMMAND_MODULES: Record<CommandName, () => Promise<Command>> = {
  pull: async () => (await import('./commands/pull.ts')).pullCommand,
  push: async () => (await import('./commands/push.ts')).pushCommand,
  tag: async () => (await import('./commands/tag.ts')).tagCommand,
  copy: async () => (await import('./commands/copy.ts')).copyCommand,
  serve: async () => (await import('./commands/serve.ts')).serveCommand,
  images: async () => (await import('./commands/images.ts')).imagesCommand,
  outdated: async () => (await import('./commands/outdated.ts')).outdatedCommand,
  inspect: async () => (await import('./commands/inspect.ts')).inspectCommand,
  rmi: async () => (await import('./commands/rmi.ts')).rmiCommand,
  fsck: async () => (await import('./commands/fsck.ts')).fsckCommand,
  df: async () => (await import('./commands/df.ts')).dfCommand,
  tree: async () => (await import('./commands/tree.ts')).treeCommand,
  layers: async () => (await import('./commands/layers.ts')).layersCommand,
  prune: async () => (await import('./commands/prune.ts')).pruneCommand,
  save: async () => (await import('./commands/save.ts')).saveCommand,
  load: async () => (await import('./commands/load.ts')).loadCommand,
  manifest: async () => (await import('./commands/manifest.ts')).manifestCommand,
  'generate-sigstore-key': async () => (await import('./commands/generate-sigstore-key.ts')).generateSigstoreKeyCommand,
  login: async () => (await import('./commands/login.ts')).loginCommand,
  logout: async () => (await import('./commands/logout.ts')).logoutCommand,
  engines: async () => (await import('./commands/engines.ts')).enginesCommand,
};

/**
 * With `--engine`, `images` and `df` load the engine's code alone (commands/engine-read.ts, 120 KB),
 * not the store's as well (images.mjs was 157 KB, df.mjs 250 KB, with node:crypto, node:child_process
 * and node:fs/promises): these are the quickest commands, which scripts may run often.
 */
const ENGINE_MODULES: Partial<Record<CommandName, () => Promise<Command>>> = {
  images: async () => (await import('./commands/engine-read.ts')).engineImagesCommand,
  df: async () => (await import('./commands/engine-read.ts')).engineDfCommand,
};

/** The command called `name`, its code loaded: with `onEngine`, the engine's variant where it has one of its own. */
export function loadCommand(name: CommandName, onEngine = false): Promise<Command> {
  return ((onEngine && ENGINE_MODULES[name]) || COMMAND_MODULES[name])();
}

/** A global option's value when `a` (and the next argument) is `--name VALUE` or `--name=VALUE`. */
function globalValue(argv: string[], i: number, name: string): { value: string | undefined; used: number } | null {
  const a = argv[i]!;
  if (a === `--${name}`) return { value: argv[i + 1], used: 2 };
  if (a.startsWith(`--${name}=`)) return { value: a.slice(name.length + 3), used: 1 };
  return null;
}

/** Splits global options (before the command) from the command and its arguments. */
function splitArgs(argv: string[]): {
  storeFlag: string | undefined;
  engineFlag: string | undefined;
  name: string | undefined;
  rest: string[];
} {
  const flags: { store?: string | undefined; engine?: string | undefined } = {};
  let i = 0;
  for (; i < argv.length;) {
    const g = globalValue(argv, i, 'store') ?? globalValue(argv, i, 'engine');
    if (!g) break;
    if (argv[i]!.startsWith('--store')) flags.store = g.value;
    // `--engine` with nothing after it is an engine not given: said so, not taken as the store.
    else flags.engine = g.value ?? '';
    i += g.used;
  }
  const name = argv[i];
  const rest = argv.slice(i + 1);
  // --store and --engine are also accepted after the command, where users tend to put them.
  for (const key of ['store', 'engine'] as const) {
    const j = rest.findIndex((a) => a === `--${key}` || a.startsWith(`--${key}=`));
    if (j < 0) continue;
    const g = globalValue(rest, j, key)!;
    flags[key] = key === 'engine' ? (g.value ?? '') : g.value;
    rest.splice(j, g.used);
  }
  return { storeFlag: flags.store, engineFlag: flags.engine, name, rest };
}

export async function main(argv: string[], io: Pick<CommandContext, 'stdout' | 'stderr' | 'env'>, signal: AbortSignal): Promise<number> {
  const { storeFlag, engineFlag, name, rest } = splitArgs(argv);
  if (!name || name === 'help' || name === '--help' || name === '-h') {
    io.stdout.write(`${helpText()}\n`);
    return name ? 0 : 2;
  }
  if (name === 'version' || name === '--version') {
    io.stdout.write('deckhand 0.1.0\n');
    return 0;
  }
  if (!isCommandName(name)) {
    io.stderr.write(`Error: unknown command "${name}".\n\n${helpText()}\n`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.stdout.write(`${commandHelpText(name)}\n`);
    return 0;
  }
  if (engineFlag !== undefined && !isEngineCommand(name)) {
    io.stderr.write(`Error: --engine works with ${ENGINE_COMMANDS.join(', ')}; ${name} uses the store.\n`);
    return 2;
  }
  if (engineFlag === '') {
    io.stderr.write('Error: --engine needs an engine: a name from `deckhand engines`, or unix:///path/to.sock or tcp://host:port.\n');
    return 2;
  }
  try {
    const command = await loadCommand(name, engineFlag !== undefined);
    return await command.run({ args: rest, storeFlag, engineFlag, env: io.env, stdout: io.stdout, stderr: io.stderr, signal });
  } catch (e) {
    if (e instanceof DeckhandError) {
      io.stderr.write(`Error: ${e.message}\n`);
      return e.code === 'EUSAGE' ? 2 : e.code === 'ECANCELLED' ? 130 : 1;
    }
    // Interrupted: whatever the command threw on the way out (an AbortError from a stream, say).
    if (signal.aborted) {
      io.stderr.write(`Error: ${name} was cancelled.\n`);
      return 130;
    }
    const code = (e as { code?: unknown }).code;
    if (
      code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' ||
      code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' ||
      code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL'
    ) {
      io.stderr.write(`Error: ${(e as Error).message}\nUsage: ${COMMAND_HELP[name].usage}\n`);
      return 2;
    }
    io.stderr.write(`Error: ${(e as Error).stack ?? String(e)}\n`);
    return 1;
  }
}

/** Runs the command line of this process and exits with the command's status once its output is written. */
export function runCli(): void {
  const controller = new AbortController();
  process.once('SIGINT', () => controller.abort());
  process.once('SIGTERM', () => controller.abort());
  // The reader went away (`deckhand images | head -3`): stop quietly, as Unix tools do when SIGPIPE
  // ends them (status 128 + 13), instead of an unhandled EPIPE with a stack.
  const outputFailed = (e: NodeJS.ErrnoException): never => {
    if (e.code !== 'EPIPE') {
      process.stderr.write(`Error: cannot write the output: ${e.message}\n`);
      process.exit(1);
    }
    controller.abort();
    process.exit(141);
  };
  process.stdout.on('error', outputFailed);
  main(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, env: process.env }, controller.signal).then((code) =>
    exitWhenWritten(code, outputFailed),
  );
}

/**
 * Ends the process as soon as the command is done and its output is written, instead of when idle
 * keep-alive sockets and timers let it. Writes to a pipe can be asynchronous (macOS), so an empty
 * write on each stream, whose callback runs after everything written before it, says when.
 */
function exitWhenWritten(code: number, outputFailed: (e: NodeJS.ErrnoException) => never): void {
  let pending = 2;
  const written = () => {
    if (--pending === 0) process.exit(code);
  };
  process.exitCode = code;
  // A write that failed (the reader went away) ends the process as the stream's 'error' would.
  process.stdout.write('', (e) => (e ? outputFailed(e) : written()));
  // stderr has nowhere to report its own failure: done either way.
  process.stderr.write('', written);
}

// `node src-main/cli/main.ts …` during development; the built dist/cli.mjs calls runCli itself.
if (process.argv[1]?.endsWith('/cli/main.ts')) runCli();
