import { parseArgs } from '../args.ts';
import { access, writeFile } from 'node:fs/promises';
import { DeckhandError } from '../../../src-shared/errors.ts';
import { generateSigstoreKeyPair } from '../../engine/signature/private-key.ts';
import type { Command } from '../context.ts';
import { json } from '../output.ts';
import { readPassphrase } from '../signing-flags.ts';
import { usageError, wantsJson } from '../usage.ts';
import { COMMAND_HELP } from '../help.ts';

/** Writes a file that must not exist yet (as skopeo refuses to overwrite a key). */
async function writeNew(path: string, text: string, mode: number): Promise<void> {
  try {
    await writeFile(path, text, { flag: 'wx', mode });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST')
      throw new DeckhandError('EUSAGE', `${path} already exists; refusing to overwrite it.`);
    throw e;
  }
}

const OPTIONS = { 'output-prefix': { type: 'string' }, 'passphrase-file': { type: 'string' }, format: { type: 'string' } } as const;

export const generateSigstoreKeyCommand: Command = {
  usage: COMMAND_HELP['generate-sigstore-key'].usage,
  options: OPTIONS,
  async run(ctx) {
    const { values, positionals } = parseArgs({
      args: ctx.args,
      allowPositionals: true,
      options: OPTIONS,
    });
    const prefix = values['output-prefix'];
    if (!prefix || positionals.length > 0) throw usageError(this.usage, '--output-prefix is required and no other argument is taken');
    const asJson = wantsJson(values.format, this.usage);
    const pub = `${prefix}.pub`;
    const priv = `${prefix}.private`;
    for (const path of [pub, priv]) {
      if (
        await access(path).then(
          () => true,
          () => false,
        )
      )
        throw new DeckhandError('EUSAGE', `${path} already exists; refusing to overwrite it.`);
    }
    const passphrase = await readPassphrase(ctx, values['passphrase-file'], { confirm: true, what: priv });
    const pair = await generateSigstoreKeyPair(passphrase);
    await writeNew(priv, pair.privatePem, 0o600);
    await writeNew(pub, pair.publicPem, 0o644);
    if (asJson) json({ publicKey: pub, privateKey: priv }, ctx.stdout);
    else ctx.stdout.write(`Key written to ${priv} and ${pub}\n`);
    return 0;
  },
};
