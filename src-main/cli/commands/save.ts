import { parseArgs } from '../args.ts';
import { formatBytes } from '../../../src-shared/format.ts';
import { parsePlatform } from '../../../src-shared/oci/platform.ts';
import type { ArchiveFormat } from '../../engine/archive/save.ts';
import { json } from '../output.ts';
import { ProgressView } from '../progress.ts';
import { checkingArguments } from '../arguments.ts';
import type { Command } from '../context.ts';
import { openStoreToRead } from '../read-store.ts';
import { usageError, wantsJson } from '../usage.ts';
import { COMMAND_HELP } from '../help.ts';

const OPTIONS = {
  output: { type: 'string', short: 'o' },
  format: { type: 'string', multiple: true },
  platform: { type: 'string' },
  'present-platforms': { type: 'boolean' },
} as const;

export const saveCommand: Command = {
  usage: COMMAND_HELP.save.usage,
  options: OPTIONS,
  async run(ctx) {
    const { values, positionals } = parseArgs({
      args: ctx.args,
      allowPositionals: true,
      options: OPTIONS,
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
