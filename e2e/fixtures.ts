/**
 * The e2e fixtures: a real registry holding generated images (one per worker), and the app started
 * on a store prepared by `deckhand pull`. Every spec fails on any console error or page error.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test as base, expect, type Page } from '@playwright/test';
import { startRegistry } from '../src-main/test/fixtures/registry.ts';
import { generateImage, pushWithSkopeo, writeOciLayout } from '../src-main/test/fixtures/images.ts';
import { startHoldProxy } from './hold-proxy.ts';
import { CLI, launchApp, type RunningApp } from './launch.ts';

export interface E2ERegistry {
  host: string;
  /** Pulled into the store before the app starts. */
  baseRef: string;
  /**
   * Pulled from the UI: three 4 MiB layers, the last held halfway by a proxy for a moment, so the
   * page shows partial progress however fast the machine is.
   */
  appRef: string;
  /** How long the proxy holds that layer. */
  holdMs: number;
}

export interface App {
  kind: RunningApp['kind'];
  page: Page;
  storeDir: string;
}

/** Runs the built `deckhand` CLI; rejects with its stderr when it fails. */
export function cli(args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`deckhand ${args.join(' ')} failed (${code}):\n${stderr}`))));
  });
}

export const test = base.extend<{ app: App }, { registry: E2ERegistry }>({
  registry: [
    async ({}, use) => {
      const work = await mkdtemp(join(tmpdir(), 'deckhand-e2e-'));
      const registry = await startRegistry();
      const proxy = await startHoldProxy(registry.url);
      try {
        const platform = { os: 'linux', architecture: 'amd64' };
        const small = await generateImage({ layers: 2, layerSize: 256 * 1024, platform, seed: 'e2e-base', dir: join(work, 'gen') });
        const app = await generateImage({ layers: 3, layerSize: 4 * 1024 * 1024, platform, seed: 'e2e-app', dir: join(work, 'gen') });
        await writeOciLayout(join(work, 'layout'), [
          { ref: 'base', image: small },
          { ref: 'app', image: app },
        ]);
        await pushWithSkopeo(join(work, 'layout'), 'base', `${registry.host}/e2e/base:1`);
        await pushWithSkopeo(join(work, 'layout'), 'app', `${registry.host}/e2e/app:1`);
        const held = app.layers.at(-1)!.digest;
        const holdMs = 2000;
        proxy.hold(held, holdMs);
        await use({ host: proxy.host, baseRef: `${proxy.host}/e2e/base:1`, appRef: `${proxy.host}/e2e/app:1`, holdMs });
      } finally {
        await proxy.stop();
        await registry.stop();
        await rm(work, { recursive: true, force: true });
      }
    },
    { scope: 'worker', timeout: 120_000 },
  ],

  app: async ({ registry }, use) => {
    const storeDir = await mkdtemp(join(tmpdir(), 'deckhand-e2e-store-'));
    await cli(['--store', storeDir, 'pull', '--quiet', registry.baseRef]);
    try {
      await openApp(storeDir, use);
    } finally {
      await rm(storeDir, { recursive: true, force: true });
    }
  },
});

/** Starts the app on `storeDir` (with `env` added to its environment) for `use`, closes it, then fails if the page logged any error. */
export async function openApp(storeDir: string, use: (app: App) => Promise<void>, env: NodeJS.ProcessEnv = {}): Promise<void> {
  const running = await launchApp(storeDir, env);
  const problems: string[] = [];
  running.page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console error: ${m.text()}`);
  });
  running.page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  try {
    await use({ kind: running.kind, page: running.page, storeDir });
  } finally {
    await running.close();
  }
  expect(problems, 'the page logged errors').toEqual([]);
}

/** Saves a screenshot under e2e/screenshots/ (git-ignored) for a person to look at. */
export async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(import.meta.dirname, 'screenshots', `${name}.png`), fullPage: true });
}

export { expect };
