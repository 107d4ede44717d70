/**
 * `npm start`: the Electron app where its binary is installed and there is a display; otherwise it
 * says why in one line, serves the same UI with `deckhand serve` on the default store (or
 * DECKHAND_STORE) and opens the address in the default browser (xdg-open, open or start; where there
 * is none, or DECKHAND_OPEN=0, it only prints it). Ctrl-C stops whichever runs.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * Electron's binary as the `electron` package would find it, without its fallback of downloading
 * one; or why there is no window to open.
 */
export function electronWindow(
  env: NodeJS.ProcessEnv,
  platform: NodeJS.Platform,
  exists: (p: string) => boolean = existsSync,
  read: (p: string) => string = (p) => readFileSync(p, 'utf8'),
): { binary: string } | { reason: string } {
  const pkg = join(root, 'node_modules', 'electron');
  const pathFile = join(pkg, 'path.txt');
  const relative = exists(pathFile) ? read(pathFile).trim() : undefined;
  const binary = env.ELECTRON_OVERRIDE_DIST_PATH
    ? join(env.ELECTRON_OVERRIDE_DIST_PATH, relative ?? 'electron')
    : relative
      ? join(pkg, 'dist', relative)
      : undefined;
  if (!binary || !exists(binary)) return { reason: "Electron's binary is not installed (it was skipped or could not be downloaded)" };
  if (platform === 'linux' && !env.DISPLAY && !env.WAYLAND_DISPLAY)
    return { reason: 'there is no display (neither DISPLAY nor WAYLAND_DISPLAY is set)' };
  return { binary };
}

/** The command that opens a URL in the default browser here, if there is one. */
export function opener(platform: NodeJS.Platform, has: (cmd: string) => boolean): string[] | undefined {
  if (platform === 'darwin') return ['open'];
  if (platform === 'win32') return ['cmd', '/c', 'start', '""'];
  return has('xdg-open') ? ['xdg-open'] : undefined;
}

const onPath = (cmd: string) => spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;

function run(): void {
  const window = electronWindow(process.env, process.platform);
  if ('binary' in window) {
    const app = spawn(window.binary, ['.'], { cwd: root, stdio: 'inherit' });
    app.on('exit', (code) => process.exit(code ?? 0));
    return;
  }
  console.log(
    `No Electron window: ${window.reason}. Serving the same UI in your browser instead; for the window, run \`npx install-electron\` or \`npm install\` with network access.`,
  );
  const serve = spawn(process.execPath, [join(root, 'dist', 'cli.mjs'), 'serve'], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
  let opened = false;
  serve.stdout.setEncoding('utf8');
  serve.stdout.on('data', (text: string) => {
    process.stdout.write(text);
    const url = /https?:\/\/\S+/.exec(text)?.[0];
    if (!url || opened) return;
    opened = true;
    const open = process.env.DECKHAND_OPEN === '0' ? undefined : opener(process.platform, onPath);
    if (!open) return void console.log(`Open ${url} in a browser.`);
    const [cmd, ...args] = open;
    spawn(cmd!, [...args, url], { stdio: 'ignore', detached: true })
      .on('error', () => console.log(`Open ${url} in a browser.`))
      .unref();
  });
  // Ctrl-C reaches the server too (same process group); wait for it to close cleanly.
  const stop = () => serve.kill('SIGINT');
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  serve.on('exit', (code) => process.exit(code ?? 0));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) run();
