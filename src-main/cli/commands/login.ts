import { parseArgs } from '../args.ts';
import { loginTarget } from '../../engine/config/auth-store.ts';
import { login } from '../../engine/config/login.ts';
import type { Command } from '../context.ts';
import { json } from '../output.ts';
import { promptLine, readAllStdin } from '../prompt.ts';
import { usageError, wantsJson } from '../usage.ts';
import { COMMAND_HELP } from '../help.ts';

const OPTIONS = {
  username: { type: 'string', short: 'u' },
  'password-stdin': { type: 'boolean' },
  authfile: { type: 'string' },
  'tls-verify': { type: 'string' },
  format: { type: 'string' },
} as const;

export const loginCommand: Command = {
  usage: COMMAND_HELP.login.usage,
  options: OPTIONS,
  async run(ctx) {
    const { values, positionals } = parseArgs({
      args: ctx.args,
      allowPositionals: true,
      options: OPTIONS,
    });
    if (positionals.length !== 1) throw usageError(this.usage, 'login takes exactly one registry');
    const asJson = wantsJson(values.format, this.usage);
    const target = loginTarget(positionals[0]!);
    const stdin = ctx.stdin ?? process.stdin;
    let username = values.username;
    let password: string;
    if (values['password-stdin']) {
      if (!username) throw usageError(this.usage, '--password-stdin needs the username with -u');
      password = await readAllStdin(stdin, ctx.signal);
    } else {
      if (!stdin.isTTY)
        throw usageError(this.usage, 'stdin is not a terminal, so there is no prompt for the password; pipe it in with --password-stdin');
      username ||= await promptLine(stdin, ctx.stderr, 'Username: ', { hidden: false, signal: ctx.signal });
      password = await promptLine(stdin, ctx.stderr, 'Password: ', { hidden: true, signal: ctx.signal });
    }
    if (!username) throw usageError(this.usage, 'the username is empty');
    if (!password) throw usageError(this.usage, 'the password is empty');
    const saved = await login(
      target,
      { username, password },
      {
        env: ctx.env,
        signal: ctx.signal,
        ...(values.authfile ? { authFile: values.authfile } : {}),
        ...(values['tls-verify'] !== undefined ? { tlsVerify: values['tls-verify'] !== 'false' } : {}),
      },
    );
    const where = saved.kind === 'helper' ? `docker-credential-${saved.helper}` : saved.file;
    if (asJson) json({ registry: target.key, username, savedTo: where }, ctx.stdout);
    else ctx.stdout.write(`Login Succeeded! (saved to ${where})\n`);
    return 0;
  },
};
