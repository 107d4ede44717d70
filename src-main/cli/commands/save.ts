import { parseArgs } from 'node:util';
import { formatBytes } from '../../../src-shared/format.ts';
import { parsePlatform } from '../../../src-shared/oci/platform.ts';
import type { ArchiveFormat } from '../../engine/archive/save.ts';
import { json } from '../output.ts';
import { ProgressView } from '../progress.ts';
import { checkingArguments } from '../arguments.ts';
import type { Command } from '../context.ts';
import { openStoreToRead } from '../read-store.ts';
import { usageError, wantsJson } from '../usage.ts';

export const saveCommand: Command = {
  summary: 'Write stored images to an archive file (oci-archive, or docker-archive for docker load)',
  usage: 'deckhand save REF... -o FILE [--format oci-archive|docker-archive|json] [--platform os/arch[/variant]] [--present-platforms]',
  async run(ctx) {
    const { values, positionals } = parseArgs({
      args: ctx.args,
      allowPositionals: true,
      options: {
        output: { type: 'string', short: 'o' },
        format: { type: 'string', multiple: true },
        platform: { type: 'string' },
        'present-platforms': { type: 'boolean' },
      },
    });
    if (positionals.length === 0) throw usageError(this.usage, 'name at least one stored image');
    if (!values.output) throw usageError(this.usage, 'give the archive file with -o FILE');
    const formats = values.format ?? [];
    const asJson = formats.includes('json');
    const archive = formats.filter((f) => f !== 'json');
    if (archive.length > 1 || (archive[0] && archive[0] !== 'oci-archive' && archive[0] !== 'docker-archive'))
      throw usageError(this.usage, `--format ${archive.join(', ')}: use oci-archive or docker-archive`);
    if (asJson) wantsJson('json', this.usage);
    const { saveArchive } = await import('../../engine/archive/save.ts');
    const store = await openStoreToRead(ctx);
    const output = values.output;
    const result = await checkingArguments(ctx.args, async () =>
      saveArchive(store, positionals, output, {
        format: (archive[0] as ArchiveFormat | undefined) ?? 'oci-archive',
        ...(values.platform ? { platform: parsePlatform(values.platform) } : {}),
        ...(values['present-platforms'] ? { presentPlatforms: true } : {}),
        signal: ctx.signal,
        ...(asJson ? {} : { onEvent: new ProgressView(ctx.stderr).onEvent }),
      }),
    );
    if (asJson) json(result, ctx.stdout);
    else
      ctx.stdout.write(
        `Saved ${result.images.map((i) => i.ref ?? i.digest).join(', ')} to ${result.file} (${result.format}, ${formatBytes(result.bytes)})\n`,
      );
    return 0;
  },
};
