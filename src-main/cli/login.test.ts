import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough, Readable } from 'node:stream';
import { loginCommand } from './commands/login.ts';
import { logoutCommand } from './commands/logout.ts';
import type { CommandContext } from './context.ts';
import { helpText, loadCommand } from './main.ts';

function ctx(args: string[], stdin: CommandContext['stdin']): CommandContext {
  return {
    args,
    storeFlag: undefined,
    env: { REGISTRY_AUTH_FILE: '/nonexistent/auth.json', XDG_CONFIG_HOME: '/nonexistent', DOCKER_CONFIG: '/nonexistent' },
    stdout: new PassThrough(),
    stderr: new PassThrough(),
    signal: new AbortController().signal,
    ...(stdin ? { stdin } : {}),
  };
}

test('login and logout are listed with usage text', async () => {
  assert.equal(await loadCommand('login'), loginCommand);
  assert.equal(await loadCommand('logout'), logoutCommand);
  assert.match(helpText(), /login +Log in to a registry/);
  assert.match(loginCommand.usage, /deckhand login REGISTRY \[-u USER\] \[--password-stdin\] \[--authfile F\]/);
});

test('login refuses to prompt when stdin is not a terminal', async () => {
  await assert.rejects(
    loginCommand.run(ctx(['reg.example', '-u', 'alice'], Readable.from([]))),
    (e: Error & { code?: string }) => e.code === 'EUSAGE' && /--password-stdin/.test(e.message),
  );
});

test('--password-stdin needs -u, and an empty password is refused', async () => {
  await assert.rejects(
    loginCommand.run(ctx(['reg.example', '--password-stdin'], Readable.from(['pw\n']))),
    (e: Error & { code?: string }) => e.code === 'EUSAGE' && /-u/.test(e.message),
  );
  await assert.rejects(
    loginCommand.run(ctx(['reg.example', '-u', 'alice', '--password-stdin'], Readable.from(['\n']))),
    (e: Error & { code?: string }) => e.code === 'EUSAGE' && /password is empty/.test(e.message),
  );
});

test('logout takes one registry or --all', async () => {
  await assert.rejects(logoutCommand.run(ctx([], undefined)), { code: 'EUSAGE' });
  await assert.rejects(logoutCommand.run(ctx(['a.example', '--all'], undefined)), { code: 'EUSAGE' });
});

test('the terminal prompt echoes the username, hides the password and handles backspace', async () => {
  const { promptLine } = await import('./prompt.ts');
  const tty = Object.assign(new PassThrough(), {
    isTTY: true,
    raw: [] as boolean[],
    setRawMode(r: boolean) {
      this.raw.push(r);
    },
  });
  const out = new PassThrough();
  let shown = '';
  out.on('data', (d: Buffer) => (shown += d.toString()));
  const signal = new AbortController().signal;
  const user = promptLine(tty, out, 'Username: ', { hidden: false, signal });
  tty.write('alice\r');
  assert.equal(await user, 'alice');
  const pw = promptLine(tty, out, 'Password: ', { hidden: true, signal });
  tty.write('sekrit-x\u007f\u007fpw\r');
  assert.equal(await pw, 'sekritpw');
  assert.ok(!shown.includes('sekrit'), 'the password is not echoed');
  assert.match(shown, /Username: alice\nPassword: \n/);
  assert.deepEqual(tty.raw, [true, false, true, false]);
  const cancelled = promptLine(tty, out, 'Password: ', { hidden: true, signal });
  tty.write('\u0003');
  await assert.rejects(cancelled, { code: 'ECANCELLED' });
});
