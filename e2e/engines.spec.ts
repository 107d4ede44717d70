/**
 * Docker and Podman engines as sources, against real engines: Debian's dockerd and `podman system
 * service` in temp roots (src-main/test/fixtures/engines.ts) with a few busybox images built there,
 * one of them used by a created container, and a real registry for the drag from an engine. The
 * app finds the engines through DOCKER_HOST and CONTAINER_HOST, with HOME and the XDG folders in a
 * temp dir so the machine's own contexts and connections never leak in; that HOME also holds a
 * Docker context to a socket nothing listens on, a stopped VM as the sidebar shows it.
 */
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test as base, expect, type Locator, type Page } from '@playwright/test';
import { startDockerd, startPodman, type TestEngine } from '../src-main/test/fixtures/engines.ts';
import { startRegistry, type TestRegistry } from '../src-main/test/fixtures/registry.ts';
import { run } from '../src-main/test/fixtures/tools.ts';
import { cli, openApp, screenshot, type App } from './fixtures.ts';

interface Engines {
  docker: TestEngine;
  podman: TestEngine;
  registry: TestRegistry;
  /** What the app runs with: the engines' addresses, and a HOME of its own. */
  env: NodeJS.ProcessEnv;
  /** The image loaded into Deckhand's store (busybox saved from dockerd). */
  storeArchive: string;
}

const DEAD = 'docker (stopped-vm)';

const test = base.extend<{ app: App }, { engines: Engines }>({
  engines: [
    async ({}, use) => {
      const home = await mkdtemp(join(tmpdir(), 'deckhand-e2e-home-'));
      const [docker, podman, registry] = await Promise.all([startDockerd(), startPodman(), startRegistry()]);
      try {
        for (const e of [docker, podman]) {
          await e.build('base:1', 'FROM scratch\nCOPY busybox /bin/busybox\n');
          await e.build('app:1', 'FROM base:1\nCOPY a.txt /a.txt\n', { 'a.txt': 'the app' });
          await e.build('tools:2', 'FROM base:1\nCOPY b.txt /b.txt\n', { 'b.txt': 'some tools, a little longer' });
          await e.cli(['create', '--name', 'web', 'app:1', '/bin/busybox', 'true']);
        }
        // A Docker context whose engine is gone (a stopped VM): listed, unreachable, with its reason.
        const meta = join(home, '.docker', 'contexts', 'meta', createHash('sha256').update('stopped-vm').digest('hex'));
        await mkdir(meta, { recursive: true });
        await writeFile(
          join(meta, 'meta.json'),
          JSON.stringify({
            Name: 'stopped-vm',
            Metadata: {},
            Endpoints: { docker: { Host: `unix://${join(home, 'vm', 'docker.sock')}`, SkipTLSVerify: false } },
          }),
        );
        const storeArchive = join(home, 'busybox.tar');
        await docker.cli(['save', '-o', storeArchive, 'base:1']);
        const env: NodeJS.ProcessEnv = {
          HOME: home,
          XDG_CONFIG_HOME: join(home, '.config'),
          XDG_DATA_HOME: join(home, '.local', 'share'),
          XDG_CACHE_HOME: join(home, '.cache'),
          XDG_RUNTIME_DIR: join(home, 'run'),
          DOCKER_CONFIG: join(home, '.docker'),
          DOCKER_HOST: docker.uri,
          CONTAINER_HOST: podman.uri,
        };
        await mkdir(env.XDG_RUNTIME_DIR!, { recursive: true, mode: 0o700 });
        await use({ docker, podman, registry, env, storeArchive });
      } finally {
        await Promise.all([docker.stop(), podman.stop(), registry.stop()]);
        await rm(home, { recursive: true, force: true });
      }
    },
    { scope: 'worker', timeout: 300_000 },
  ],

  app: async ({ engines }, use) => {
    const storeDir = await mkdtemp(join(tmpdir(), 'deckhand-e2e-store-'));
    try {
      await cli(['--store', storeDir, 'load', engines.storeArchive]);
      await openApp(storeDir, use, engines.env);
    } finally {
      await rm(storeDir, { recursive: true, force: true });
    }
  },
});

const sources = (page: Page) => page.getByRole('region', { name: 'Sources' });
const source = (page: Page, name: string): Locator => sources(page).locator(`[data-testid=source][data-source="${name}"]`);
const row = (page: Page, name: string): Locator => page.locator(`[data-testid=image-row][data-name="${name}"]`);

async function choose(page: Page, name: string): Promise<void> {
  await source(page, name).locator('button.src-open').click();
  await expect(source(page, name).locator('button.src-open')).toHaveAttribute('aria-pressed', 'true');
  if (name === 'store') await expect(page.getByTestId('source-bar')).toHaveCount(0);
  else await expect(page.getByTestId('source-bar')).toHaveAttribute('data-source', name);
}

test.use({ viewport: { width: 1440, height: 900 } });

test('each engine is a source: its images in the table with the containers using them; a dead engine shows why and hides nothing', async ({
  app,
  engines,
}) => {
  const { page } = app;
  await expect(source(page, 'store')).toBeVisible();
  await expect(source(page, 'docker')).toHaveAttribute('data-reachable', 'true');
  await expect(source(page, 'podman')).toHaveAttribute('data-reachable', 'true');
  const dead = source(page, DEAD);
  await expect(dead).toHaveAttribute('data-reachable', 'false');
  await expect(dead.getByTestId('source-unreachable')).toContainText(join(engines.env.HOME!, 'vm', 'docker.sock'));
  await expect(dead.locator('button.src-open')).toBeDisabled();
  const version = (await engines.docker.cli(['version', '--format', '{{.Server.Version}}'])).stdout.trim();
  await expect(source(page, 'docker')).toContainText(`Docker ${version}`);

  await choose(page, 'docker');
  await expect(page.getByTestId('image-row')).toHaveCount(3);
  await expect(row(page, 'app:1').getByTestId('containers')).toHaveText('1 web');
  await expect(row(page, 'tools:2').getByTestId('cell-containers')).toHaveText('none');
  await expect(page.getByRole('columnheader', { name: /^ID/ })).toBeVisible();
  // The ID is the engine's own.
  const id = (await engines.docker.cli(['image', 'inspect', '--format', '{{.Id}}', 'app:1'])).stdout.trim();
  await expect(row(page, 'app:1').getByTestId('cell-digest')).toContainText(id.replace('sha256:', '').slice(0, 12));
  await screenshot(page, 'engines-images');
  await row(page, 'app:1').dblclick();
  await expect(page.getByTestId('details-containers')).toContainText('web');
  await screenshot(page, 'engines-image-details');

  // Live: an image built with the engine's own CLI shows up from the engine's event stream.
  await engines.docker.build('fresh:1', 'FROM base:1\nCOPY c.txt /c.txt\n', { 'c.txt': 'built while the app looks' });
  await expect(row(page, 'fresh:1')).toBeVisible({ timeout: 20_000 });
  await engines.docker.cli(['rmi', 'fresh:1']);
  await expect(row(page, 'fresh:1')).toHaveCount(0, { timeout: 20_000 });

  // The layer tree of the engine: its three images on their shared busybox layer.
  await page.getByTestId('tab-tree').click();
  await expect(page.getByTestId('tree-summary')).toContainText('3 layers · 3 images');
  await expect(page.getByRole('button', { name: /shared by 3 images, top layer of base:1/ })).toBeVisible();
  await page.getByTestId('tab-images').click();

  await choose(page, 'podman');
  for (const name of ['localhost/base:1', 'localhost/tools:2']) await expect(row(page, name)).toBeVisible();
  await expect(row(page, 'localhost/app:1').getByTestId('containers')).toHaveText('1 web');
});

test("an engine's image has a Files tab too: exported for the analysis, its layers and what each added", async ({ app }) => {
  const { page } = app;
  await choose(page, 'docker');
  await row(page, 'app:1').dblclick();
  const details = page.getByTestId('image-details');
  await details.getByRole('tab', { name: 'Files' }).click();
  const files = details.getByTestId('files-tab');
  await expect(files.getByTestId('files-summary')).toBeVisible({ timeout: 60_000 });
  await expect(files.getByTestId('files-score')).toHaveText(/^\d+(\.\d+)? ?%$/);
  // The top layer (COPY a.txt) is chosen first; below it, the busybox base.
  const entries = files.getByTestId('files-entries');
  await expect(entries).toContainText('/a.txt');
  await files.getByRole('button', { name: 'Layer 1' }).click();
  await expect(entries).toContainText('/bin/busybox');
  await screenshot(page, 'engines-files');
});

test("moves by drag: an engine's image onto This store, a stored image onto an engine, each a transfer", async ({ app, engines }) => {
  const { page } = app;
  await choose(page, 'docker');
  await row(page, 'tools:2').dragTo(source(page, 'store'));
  const intoStore = page.getByTestId('transfer').filter({ hasText: 'tools:2' });
  await expect(intoStore).toHaveAttribute('data-state', 'done', { timeout: 60_000 });
  await choose(page, 'store');
  await expect(page.getByTestId('image-row').filter({ hasText: 'tools' })).toHaveCount(1);

  const stored = page.getByTestId('image-row').filter({ hasText: 'base' }).first();
  const name = await stored.getAttribute('data-name');
  await stored.dragTo(source(page, 'podman'));
  const intoPodman = page.getByTestId('transfer').filter({ hasText: name! });
  await expect(intoPodman).toHaveAttribute('data-state', 'done', { timeout: 60_000 });
  await screenshot(page, 'engines-moves');
  const listed = (await engines.podman.cli(['images', '--format', '{{.Repository}}:{{.Tag}}'])).stdout;
  expect(listed).toContain(name!.replace(/^docker\.io\//, ''));
});

test('Disk usage across all sources: each source with its total, shared and unique bytes, drawn one cell per source', async ({ app }) => {
  const { page } = app;
  await page.getByTestId('tab-usage').click();
  await page.getByTestId('usage-scope-all').click();
  const rows = page.getByTestId('source-usage');
  await expect(rows).toHaveCount(4);
  for (const name of ['store', 'docker', 'podman']) {
    const total = page.locator(`[data-testid=source-usage][data-source="${name}"] [data-testid=source-usage-total] .bytes`);
    await expect(total).toBeVisible();
    expect(Number(await total.getAttribute('data-bytes'))).toBeGreaterThan(0);
  }
  await expect(page.locator(`[data-testid=source-usage][data-source="${DEAD}"]`)).toContainText('Unreachable');
  await expect(page.getByTestId('source-cell')).toHaveCount(3);
  await screenshot(page, 'engines-usage-all');

  // A source's cell opens its own disk usage.
  await page.locator('[data-testid=source-cell][data-source="docker"]').click({ position: { x: 6, y: 6 } });
  await expect(page.getByTestId('usage-scope-source')).toHaveText('docker');
  await expect(page.getByTestId('usage-total')).toBeVisible();
});

test('removing an image a container uses is refused as the engine refuses it, naming the container; an unused one goes', async ({
  app,
  engines,
}) => {
  const { page } = app;
  await choose(page, 'docker');
  await row(page, 'app:1').click();
  await page.getByRole('button', { name: 'Remove…' }).click();
  const dialog = page.getByTestId('remove-dialog');
  await dialog.getByRole('button', { name: 'Remove' }).click();
  await expect(dialog.getByTestId('remove-error')).toHaveAttribute('data-code', 'EIN_USE');
  await expect(dialog.getByTestId('remove-in-use')).toContainText('Used by web');
  await expect(dialog.getByRole('checkbox')).toHaveCount(0);
  await screenshot(page, 'engines-remove-refused');
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  expect((await engines.docker.cli(['image', 'inspect', '--format', '{{.Id}}', 'app:1'])).stdout.trim()).toMatch(/^sha256:/);

  await row(page, 'tools:2').click();
  await page.getByRole('button', { name: 'Remove…' }).click();
  await page.getByTestId('remove-dialog').getByRole('button', { name: 'Remove' }).click();
  await expect(row(page, 'tools:2')).toHaveCount(0);
  const left = (await engines.docker.cli(['images', '--format', '{{.Repository}}:{{.Tag}}'])).stdout;
  expect(left).not.toContain('tools:2');
  await engines.docker.build('tools:2', 'FROM base:1\nCOPY b.txt /b.txt\n', { 'b.txt': 'some tools, a little longer' });
});

test("dragging an engine's image onto a registry pushes it from the engine; the transfer finishes in Transfers", async ({
  app,
  engines,
}) => {
  const { page } = app;
  const { registry } = engines;
  const sidebar = page.getByRole('complementary', { name: 'Registries' });
  await sidebar.getByRole('textbox', { name: /registry/i }).fill(registry.host);
  await sidebar.getByRole('checkbox', { name: /insecure/i }).check();
  await sidebar.getByRole('button', { name: /^Add/ }).click();
  const target = sidebar.locator(`[data-testid=registry][data-host="${registry.host}"]`);
  await expect(target).toBeVisible();

  await choose(page, 'docker');
  await row(page, 'app:1').dragTo(target);
  const dialog = page.getByTestId('push-dialog');
  await expect(dialog.getByTestId('push-source-engine')).toHaveText('docker');
  await dialog.getByTestId('push-target').fill(`${registry.host}/e2e/from-docker`);
  await dialog.getByTestId('push-submit').click();
  const transfer = page.getByTestId('transfer').filter({ hasText: 'e2e/from-docker' });
  await expect(transfer).toHaveAttribute('data-state', 'done', { timeout: 60_000 });
  await screenshot(page, 'engines-drag-to-registry');

  // The registry has it: the image's config is the engine's image (its ID is the config's digest).
  const inspected = await run('skopeo', ['inspect', '--tls-verify=false', '--raw', `docker://${registry.host}/e2e/from-docker:1`], {
    timeoutMs: 30_000,
  });
  const manifest = JSON.parse(inspected.stdout) as { config: { digest: string }; layers: unknown[] };
  const id = (await engines.docker.cli(['image', 'inspect', '--format', '{{.Id}}', 'app:1'])).stdout.trim();
  expect(manifest.config.digest).toBe(id);
  expect(manifest.layers).toHaveLength(2);
});

test('prune on an engine: the preview is what the engine would remove, the result what it reports; an image in use stays', async ({
  app,
  engines,
}) => {
  const { page } = app;
  // An image to prune, found by its label; app:1 (used by a container) matches "all" but must stay.
  await engines.docker.build('scratch:1', 'FROM base:1\nLABEL purpose=scratch\nCOPY d.txt /d.txt\n', { 'd.txt': 'to be pruned' });
  await choose(page, 'docker');
  await expect(row(page, 'scratch:1')).toBeVisible({ timeout: 20_000 });
  await page.getByTestId('prune-button').click();
  const dialog = page.getByTestId('prune-dialog');
  await expect(dialog.getByRole('heading', { name: 'Prune docker' })).toBeVisible();
  await expect(dialog.getByText('Keep the newest per repository')).toHaveCount(0);
  await dialog.getByRole('radio', { name: /All images that match/ }).check();
  await dialog.getByRole('textbox', { name: 'With labels' }).fill('purpose=scratch');
  const planned = dialog.getByTestId('prune-images').getByTestId('prune-item');
  // scratch:1 and, as docker's own prune does, the untagged build step under it; nothing in use.
  await expect(planned.filter({ hasText: 'scratch:1' })).toHaveCount(1);
  await expect(planned.filter({ hasText: /app:1|base:1|tools:2/ })).toHaveCount(0);
  await screenshot(page, 'engines-prune-preview');
  await dialog.getByRole('button', { name: /^Prune · free/ }).click();
  await expect(dialog.getByTestId('prune-freed')).toBeVisible({ timeout: 30_000 });
  await expect(dialog.getByTestId('prune-removed')).toContainText('scratch:1');
  await page.keyboard.press('Escape');
  await expect(dialog).toHaveCount(0);
  await expect(row(page, 'scratch:1')).toHaveCount(0);
  await expect(row(page, 'app:1')).toBeVisible();
  const left = (await engines.docker.cli(['images', '--format', '{{.Repository}}:{{.Tag}}'])).stdout;
  expect(left).toContain('app:1');
  expect(left).not.toContain('scratch:1');
});
