/**
 * Starts the app for a spec: the Electron app where the Electron binary is installed, otherwise
 * `deckhand serve` and Debian's Chromium on the printed address. Both read the store from
 * DECKHAND_STORE / --store. DECKHAND_E2E_APP=web|electron forces one.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { _electron, chromium, type Page } from '@playwright/test';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..');
export const CLI = join(root, 'dist', 'cli.mjs');

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface RunningApp {
  kind: 'electron' | 'web';
  page: Page;
  /** The host process serving the page (`deckhand serve`), for the web app; the benchmarks read its memory. */
  hostPid?: number;
  close(): Promise<void>;
}

function electronBinary(): string | null {
  const pathFile = join(root, 'node_modules', 'electron', 'path.txt');
  if (!existsSync(pathFile)) return null;
  const binary = join(root, 'node_modules', 'electron', 'dist', readFileSync(pathFile, 'utf8').trim());
  return existsSync(binary) ? binary : null;
}

export function appKind(): 'electron' | 'web' {
  const forced = process.env.DECKHAND_E2E_APP;
  if (forced === 'web' || forced === 'electron') return forced;
  return electronBinary() ? 'electron' : 'web';
}

/** `env`: added to the app's environment (the engines spec points DOCKER_HOST, CONTAINER_HOST and HOME at its own). */
export async function launchApp(storeDir: string, env: NodeJS.ProcessEnv = {}): Promise<RunningApp> {
  if (!existsSync(CLI) || !existsSync(join(root, 'dist', 'main.cjs')))
    throw new Error('dist/ is missing: run `npm run build` first (npm run test:e2e does).');
  return appKind() === 'electron' ? launchElectron(storeDir, env) : launchWeb(storeDir, env);
}

async function launchElectron(storeDir: string, env: NodeJS.ProcessEnv): Promise<RunningApp> {
  const executablePath = electronBinary();
  if (!executablePath) throw new Error('DECKHAND_E2E_APP=electron, but no Electron binary is installed.');
  const app = await _electron.launch({ executablePath, args: [root], env: { ...process.env, ...env, DECKHAND_STORE: storeDir } });
  const page = await app.firstWindow();
  return { kind: 'electron', page, close: () => app.close() };
}

/** Runs `deckhand serve` and resolves with the address it prints. */
function serve(storeDir: string, env: NodeJS.ProcessEnv): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [CLI, '--store', storeDir, 'serve'], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => (child.kill('SIGKILL'), reject(new Error(`deckhand serve printed no address:\n${stderr}`))), 15_000);
    child.stdout!.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      const line = out.split('\n')[0];
      if (out.includes('\n') && line) {
        clearTimeout(timer);
        resolve({ child, url: line.trim() });
      }
    });
    child.once('exit', (code) => (clearTimeout(timer), reject(new Error(`deckhand serve exited (${code}):\n${stderr}`))));
  });
}

async function launchWeb(storeDir: string, env: NodeJS.ProcessEnv): Promise<RunningApp> {
  const { child, url } = await serve(storeDir, env);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const profile = await mkdtemp(join(tmpdir(), 'deckhand-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    args: CHROMIUM_ARGS,
    headless: true,
  });
  const page = context.pages()[0] ?? (await context.newPage());
  await page.goto(url);
  return {
    kind: 'web',
    page,
    ...(child.pid !== undefined ? { hostPid: child.pid } : {}),
    async close() {
      await context.close();
      child.kill('SIGTERM');
      await exited;
      await rm(profile, { recursive: true, force: true });
    },
  };
}
