import { parseArgs } from 'node:util';
import { hostPlatform, parsePlatform } from '../../../src-shared/oci/platform.ts';
import { copyImage } from '../../engine/transfer/copy.ts';
import { json } from '../output.ts';
import { ProgressView } from '../progress.ts';
import { openStore, type Command } from '../context.ts';
import { usageError, wantsJson } from '../usage.ts';

export const copyCommand: Command = {
  summary: 'Copy an image between the store, registries (docker://) and OCI layouts (oci:DIR[:REF])',
  usage: 'deckhand copy SRC DEST [--platform os/arch[/variant] | --all-platforms] [--tls-verify=false] [--quiet] [--format json]',
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
    if (positionals.length !== 2) throw usageError(this.usage, 'copy takes a source and a destination');
    if (values.platform && values['all-platforms']) throw usageError(this.usage, '--platform and --all-platforms exclude each other');
    const asJson = wantsJson(values.format, this.usage);
    const store = await openStore(ctx);
    const progress = new ProgressView(ctx.stderr);
    const result = await copyImage(store, positionals[0]!, positionals[1]!, {
      platform: values.platform ? parsePlatform(values.platform) : hostPlatform(process.platform, process.arch),
      allPlatforms: values['all-platforms'] ?? false,
      ...(values['tls-verify'] !== undefined ? { tlsVerify: values['tls-verify'] !== 'false' } : {}),
      signal: ctx.signal,
      env: ctx.env,
      ...(values.quiet || asJson ? {} : { onEvent: progress.onEvent }),
    });
    if (asJson) json(result, ctx.stdout);
    else ctx.stdout.write(`${result.digest}\n`);
    return 0;
  },
};
