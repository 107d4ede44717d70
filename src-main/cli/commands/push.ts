import { parseArgs } from 'node:util';
import { push } from '../../engine/transfer/push.ts';
import { json } from '../output.ts';
import { ProgressView } from '../progress.ts';
import { openStore, type Command } from '../context.ts';
import { usageError, wantsJson } from '../usage.ts';

export const pushCommand: Command = {
  summary: 'Push a stored image (every stored platform) to a registry',
  usage: 'deckhand push SRC [DEST] [--present-platforms] [--tls-verify=false] [--quiet] [--format json]',
  async run(ctx) {
    const { values, positionals } = parseArgs({
      args: ctx.args,
      allowPositionals: true,
      options: {
        'present-platforms': { type: 'boolean' },
        'tls-verify': { type: 'string' },
        quiet: { type: 'boolean', short: 'q' },
        format: { type: 'string' },
      },
    });
    if (positionals.length < 1 || positionals.length > 2) throw usageError(this.usage, 'push takes a stored image and optionally a destination');
    const asJson = wantsJson(values.format, this.usage);
    const store = await openStore(ctx);
    const progress = new ProgressView(ctx.stderr);
    const result = await push(store, positionals[0]!, positionals[1], {
      presentPlatforms: values['present-platforms'] ?? false,
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
