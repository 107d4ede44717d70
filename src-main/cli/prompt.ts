/**
 * Reading a login from the terminal (the password without echo) or from stdin (`--password-stdin`).
 * Nothing read here is ever written back out.
 */
import { DeckhandError } from '../../src-shared/errors.ts';
import type { CommandContext } from './context.ts';

type Input = NonNullable<CommandContext['stdin']>;

/** All of stdin, without the one trailing newline a pipe or `echo` adds (as docker does). */
export async function readAllStdin(stdin: Input, signal: AbortSignal): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stdin) {
    signal.throwIfAborted();
    chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  }
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}

/** One line from a TTY: echoed for a username, hidden for a password. Ctrl-C or Ctrl-D cancels. */
export function promptLine(
  stdin: Input,
  out: NodeJS.WritableStream,
  question: string,
  opts: { hidden: boolean; signal: AbortSignal },
): Promise<string> {
  if (!stdin.isTTY || typeof stdin.setRawMode !== 'function') {
    return Promise.reject(
      new DeckhandError(
        'EUSAGE',
        'Cannot prompt for a login: stdin is not a terminal. Pipe the password in with --password-stdin (and give the username with -u).',
      ),
    );
  }
  out.write(question);
  return new Promise((resolve, reject) => {
    let line = '';
    stdin.setRawMode!(true);
    const finish = (error?: Error) => {
      stdin.setRawMode!(false);
      stdin.off('data', onData);
      opts.signal.removeEventListener('abort', onAbort);
      stdin.pause();
      out.write('\n');
      if (error) reject(error);
      else resolve(line);
    };
    const onAbort = () => finish(new DeckhandError('ECANCELLED', 'Login cancelled.'));
    const onData = (data: Buffer | string) => {
      for (const ch of typeof data === 'string' ? data : data.toString('utf8')) {
        if (ch === '\r' || ch === '\n') return finish();
        if (ch === '\u0003' || ch === '\u0004') return finish(new DeckhandError('ECANCELLED', 'Login cancelled.'));
        if (ch === '\u007f' || ch === '\b') {
          if (line.length > 0) {
            line = [...line].slice(0, -1).join('');
            if (!opts.hidden) out.write('\b \b');
          }
          continue;
        }
        if (ch < ' ') continue;
        line += ch;
        if (!opts.hidden) out.write(ch);
      }
    };
    opts.signal.addEventListener('abort', onAbort, { once: true });
    stdin.on('data', onData);
    stdin.resume();
  });
}
