/**
 * The deckhand command run in this process (its `main`), for unit tests of the CLI: what it wrote
 * on stdout and stderr, and its exit status. Integration tests run the built or source CLI as a
 * process instead (src-main/test/fixtures/tools.ts `runCli`). Like the renderer's data/testing.tsx, for tests
 * only: nothing the command runs imports it.
 */
import { PassThrough } from 'node:stream';
import { main } from './main.ts';

export async function cli(argv: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; out: string; err: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (c) => (out += c));
  stderr.on('data', (c) => (err += c));
  const code = await main(argv, { stdout, stderr, env }, new AbortController().signal);
  return { code, out, err };
}
