import { parseArgs } from 'node:util';
import { hostPlatform, parsePlatform } from '../../../src-shared/oci/platform.ts';
import { pull } from '../../engine/transfer/pull.ts';
import { json } from '../output.ts';
import { ProgressView } from '../progress.ts';
import { openStore, type Command } from '../context.ts';
import { usageError } from '../usage.ts';

export const pullCommand: Command = {
  summary: 'Pull an image from a registry into the store',
  usage: 'deckhand pull REF [--platform os/arch[/variant] | --all-platforms] [--tls-verify=false] [--quiet] [--format json]',
  async run(ctx) {
    const { values, positionals } = parseArgs({
      args: ctx.args,
      allowPositionals: true,
      options: {
        platform: { type: 'string' },
        'all-platforms': { type: 'boolean' },
        'tls-verify': { type: 'string' },
        quiet: { type: 'boolean', short: 'q' },
        format: { type: 'string' },
      },
    });
    if (positionals.length !== 1) throw usageError(this.usage, 'pull takes exactly one reference');
    if (values.platform && values['all-platforms']) throw usageError(this.usage, '--platform and --all-platforms exclude each other');
    const store = await openStore(ctx);
    const progress = new ProgressView(ctx.stderr);
    const result = await pull(store, positionals[0]!, {
      platform: values.platform ? parsePlatform(values.platform) : hostPlatform(process.platform, process.arch),
      allPlatforms: values['all-platforms'] ?? false,
      ...(values['tls-verify'] !== undefined ? { tlsVerify: values['tls-verify'] !== 'false' } : {}),
      signal: ctx.signal,
      env: ctx.env,
      ...(values.quiet || values.format === 'json' ? {} : { onEvent: progress.onEvent }),
    });
    if (values.format === 'json') json(result, ctx.stdout);
    else ctx.stdout.write(`${result.digest}\n`);
    return 0;
  },
};
