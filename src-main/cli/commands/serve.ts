import { parseArgs } from '../args.ts';
import { DeckhandError } from '../../../src-shared/errors.ts';
import { resolveStoreDir } from '../../engine/store/location.ts';
import type { Command } from '../context.ts';
import { usageError } from '../usage.ts';
import { COMMAND_HELP } from '../help.ts';

const OPTIONS = { port: { type: 'string', short: 'p' } } as const;

export const serveCommand: Command = {
  usage: COMMAND_HELP.serve.usage,
  options: OPTIONS,
  async run(ctx) {
    const { values, positionals } = parseArgs({
      args: ctx.args,
      allowPositionals: true,
      options: OPTIONS,
    });
    if (positionals.length > 0) throw usageError(this.usage, 'serve takes no arguments');
    const port = Number(values.port ?? 0);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw usageError(this.usage, `--port ${values.port} is not a port number`);
    // Loaded on use: the web host (ws, the contract's schemas) is not needed by any other command.
    const [{ createHost }, { findRendererDir }, { startWebHost }] = await Promise.all([
      import('../../host/host.ts'),
      import('../../webhost/renderer-dir.ts'),
      import('../../webhost/server.ts'),
    ]);
    const { uploadsDirOf } = await import('../../host/uploads.ts');
    const storeDir = resolveStoreDir(ctx.storeFlag, ctx.env);
    const rendererDir = findRendererDir();
    const host = createHost({ kind: 'web', storeDir, env: ctx.env });
    let web;
    try {
      web = await startWebHost({ dispatch: host.dispatch, events: host.events, rendererDir, port, uploadsDir: uploadsDirOf(storeDir) });
    } catch (e) {
      await host.close();
      if ((e as NodeJS.ErrnoException).code === 'EADDRINUSE')
        throw new DeckhandError(
          'EUSAGE',
          `Port ${port} on 127.0.0.1 is in use; pick another with --port, or leave it out to use a free one.`,
          { cause: e },
        );
      throw e;
    }
    // The address alone on stdout, so scripts can read it; the rest goes to stderr.
    ctx.stdout.write(`${web.url}\n`);
    ctx.stderr.write(
      `Deckhand is serving the store at ${storeDir} on 127.0.0.1 only. Open the address above (it carries this run's token); Ctrl-C stops.\n`,
    );
    await new Promise<void>((resolve) =>
      ctx.signal.aborted ? resolve() : ctx.signal.addEventListener('abort', () => resolve(), { once: true }),
    );
    await web.close();
    await host.close();
    return 0;
  },
};
