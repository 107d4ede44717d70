/**
 * Flags for signatures: `--signature-policy PATH` (pull, copy), and the passphrase of a sigstore
 * private key, read as skopeo reads `--sign-passphrase-file` / `--passphrase-file` (the file's
 * first line), else from COSIGN_PASSWORD (cosign's variable; handy for scripts and tests), else
 * asked for on the terminal. Passphrases are never printed.
 */
import { readFile } from 'node:fs/promises';
import { DeckhandError } from '../../src-shared/errors.ts';
import type { CommandContext } from './context.ts';
import { promptLine } from './prompt.ts';

export const POLICY_FLAGS = {
  'signature-policy': { type: 'string' },
} as const;

export const SIGN_FLAGS = {
  'sign-by-sigstore-private-key': { type: 'string' },
  'sign-passphrase-file': { type: 'string' },
} as const;

export function policyOption(values: { 'signature-policy'?: string | undefined }): { signaturePolicy?: string } {
  return values['signature-policy'] ? { signaturePolicy: values['signature-policy'] } : {};
}

export async function readPassphrase(
  ctx: CommandContext,
  file: string | undefined,
  opts: { confirm: boolean; what: string },
): Promise<string> {
  if (file) {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (e) {
      throw new DeckhandError('EUSAGE', `Cannot read the passphrase file ${file}: ${(e as Error).message}`, { cause: e });
    }
    return text.split('\n')[0]!.replace(/\r$/, '');
  }
  if (ctx.env.COSIGN_PASSWORD !== undefined) return ctx.env.COSIGN_PASSWORD;
  const stdin = ctx.stdin ?? (process.stdin as NonNullable<CommandContext['stdin']>);
  if (!stdin.isTTY)
    throw new DeckhandError(
      'EUSAGE',
      `A passphrase is needed for ${opts.what}: give a passphrase file, or set COSIGN_PASSWORD (stdin is not a terminal to ask on).`,
    );
  const first = await promptLine(stdin, ctx.stderr, `Passphrase for ${opts.what}: `, { hidden: true, signal: ctx.signal });
  if (opts.confirm) {
    const again = await promptLine(stdin, ctx.stderr, 'Repeat the passphrase: ', { hidden: true, signal: ctx.signal });
    if (again !== first) throw new DeckhandError('EUSAGE', 'The passphrases do not match.');
  }
  return first;
}

/** `{ sign }` for push when --sign-by-sigstore-private-key is given. */
export async function signOption(
  ctx: CommandContext,
  values: { 'sign-by-sigstore-private-key'?: string | undefined; 'sign-passphrase-file'?: string | undefined },
): Promise<{ sign?: { privateKeyPath: string; passphrase: string } }> {
  const key = values['sign-by-sigstore-private-key'];
  if (!key) {
    if (values['sign-passphrase-file']) throw new DeckhandError('EUSAGE', '--sign-passphrase-file needs --sign-by-sigstore-private-key.');
    return {};
  }
  return {
    sign: { privateKeyPath: key, passphrase: await readPassphrase(ctx, values['sign-passphrase-file'], { confirm: false, what: key }) },
  };
}
