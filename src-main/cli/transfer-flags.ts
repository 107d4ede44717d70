/** Flags and output shared by the commands that move images (pull, push, copy). */
import { hostPlatform, parsePlatform, type Platform } from '../../src-shared/oci/platform.ts';
import type { TransferListener } from '../../src-shared/transfer.ts';
import type { CommandContext } from './context.ts';
import { json } from './output.ts';
import { ProgressView } from './progress.ts';
import { usageError, wantsJson } from './usage.ts';
import { asUsageError } from './arguments.ts';

export const TRANSFER_FLAGS = {
  'tls-verify': { type: 'string' },
  'cert-dir': { type: 'string' },
  quiet: { type: 'boolean', short: 'q' },
  format: { type: 'string' },
} as const;

export const PLATFORM_FLAGS = {
  platform: { type: 'string' },
  'all-platforms': { type: 'boolean' },
} as const;

interface TransferValues {
  'tls-verify'?: string | undefined;
  'cert-dir'?: string | undefined;
  quiet?: boolean | undefined;
  format?: string | undefined;
}

export interface TransferSetup {
  asJson: boolean;
  common: { tlsVerify?: boolean; certDir?: string; signal: AbortSignal; env: NodeJS.ProcessEnv; onEvent?: TransferListener };
}

/** --tls-verify, --cert-dir, progress on stderr unless --quiet or --format json. */
export function transferSetup(ctx: CommandContext, values: TransferValues, usage: string): TransferSetup {
  const asJson = wantsJson(values.format, usage);
  const progress = new ProgressView(ctx.stderr);
  return {
    asJson,
    common: {
      ...(values['tls-verify'] !== undefined ? { tlsVerify: values['tls-verify'] !== 'false' } : {}),
      ...(values['cert-dir'] ? { certDir: values['cert-dir'] } : {}),
      signal: ctx.signal,
      env: ctx.env,
      ...(values.quiet || asJson ? {} : { onEvent: progress.onEvent }),
    },
  };
}

/** A --platform value; a malformed one is a usage error (exit 2). */
function platformArgument(value: string): Platform {
  try {
    return parsePlatform(value);
  } catch (e) {
    throw asUsageError(e, [value]);
  }
}

/** --platform (default: this machine's) or --all-platforms, not both. */
export function platformChoice(
  values: { platform?: string | undefined; 'all-platforms'?: boolean | undefined },
  usage: string,
): { platform: Platform; allPlatforms: boolean } {
  if (values.platform && values['all-platforms']) throw usageError(usage, '--platform and --all-platforms exclude each other');
  return {
    platform: values.platform ? platformArgument(values.platform) : hostPlatform(process.platform, process.arch),
    allPlatforms: values['all-platforms'] ?? false,
  };
}

/** The whole result as JSON, or just the digest (for scripts: `digest=$(deckhand pull …)`). */
export function printResult(ctx: CommandContext, asJson: boolean, result: { digest: string }): number {
  if (asJson) json(result, ctx.stdout);
  else ctx.stdout.write(`${result.digest}\n`);
  return 0;
}
