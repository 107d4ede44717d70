/** What every command gets: parsed options, the store, output streams and a cancel signal. */
import type { Readable, Writable } from 'node:stream';
import type { ParseArgsOptionsConfig } from 'node:util';
import { Store, type OpeningStore } from '../engine/store/layout.ts';
import { resolveStoreDir } from '../engine/store/location.ts';

export interface CommandContext {
  args: string[];
  storeFlag: string | undefined;
  /** `--engine NAME|URI`: the Docker or Podman engine to work on instead of the store (images, inspect, tree, df, rmi, prune). */
  engineFlag?: string | undefined;
  env: NodeJS.ProcessEnv;
  stdout: Writable & { isTTY?: boolean };
  stderr: Writable & { isTTY?: boolean };
  signal: AbortSignal;
  /** Input for prompts and --password-stdin (process.stdin when absent). */
  stdin?: Readable & { isTTY?: boolean; setRawMode?: (raw: boolean) => unknown };
}

export function openStore(ctx: CommandContext): Promise<Store> {
  return Store.open(resolveStoreDir(ctx.storeFlag, ctx.env));
}

/** Starts opening the store (Store.begin): for a command with other work before it needs the store. */
export function beginStore(ctx: CommandContext): OpeningStore {
  return Store.begin(resolveStoreDir(ctx.storeFlag, ctx.env));
}

/** A command's code; its summary, usage and options are in help.ts (COMMAND_HELP). */
export type Command = {
  /** COMMAND_HELP's usage, for usage errors. */
  usage: string;
  /** What it gives parseArgs; a test holds them to the options COMMAND_HELP documents. */
  options: ParseArgsOptionsConfig;
  run(ctx: CommandContext): Promise<number>;
};
