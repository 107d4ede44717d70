/**
 * A small store of real images, as a person's machine holds them: built `FROM scratch` with
 * Debian's busybox-static (/bin/busybox), in three repositories with long names on a real registry
 * (127.0.0.1:PORT/…), all on one shared base layer (busybox and its applet links) plus small layers
 * of their own, with config history written the way the classic builder and BuildKit record it
 * (`/bin/sh -c #(nop) ADD file:… in / `, `/bin/sh -c #(nop)  CMD ["sh"]`, `RUN /bin/sh -c … #
 * buildkit`). The store is pulled with `deckhand pull`; then the registry's `latest` of the hello
 * service moves to a new build and a second pull leaves the old one dangling, as it happens in
 * life. Built once per worker and copied for each test.
 *
 *   import { test, expect } from './small-store.ts';
 *   test('…', async ({ smallApp, smallStore }) => { … });
 */
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { pack as tarPack, type Header } from 'tar-stream';
import { startRegistry } from '../src-main/test/fixtures/registry.ts';
import {
  assembleImage,
  pushWithSkopeo,
  sha256,
  writeOciLayout,
  type GeneratedImage,
  type GeneratedLayer,
} from '../src-main/test/fixtures/images.ts';
import { cli, openApp, test as base, expect, type App } from './fixtures.ts';

export interface SmallStore {
  /** host:port of the registry the images came from. */
  host: string;
  /** The stored names, by role. */
  refs: {
    /** The base image: busybox and its applet links, `CMD ["sh"]`. */
    base: string;
    /** The hello service's current build (`latest` after the second pull). */
    hello: string;
    /** The same build under a version tag. */
    helloVersion: string;
    /** A second image on the base, in another repository. */
    motd: string;
  };
  /** Repositories, as the table groups them. */
  repositories: string[];
  /** Digest of the hello service's first build, left dangling when `latest` moved. */
  danglingDigest: string;
  /** Manifest digests by role. */
  digests: { base: string; hello: string; helloOld: string; motd: string };
}

const OCI_LAYER_GZIP = 'application/vnd.oci.image.layer.v1.tar+gzip';

export type Entry =
  | { name: string; type: 'directory' }
  | { name: string; type: 'symlink'; linkname: string }
  | { name: string; type?: 'file'; body: Buffer | string; mode?: number };

/** A gzip'd tar layer from a list of entries, written under `dir` by its digest. */
export async function layer(dir: string, entries: Entry[], mtime: Date): Promise<GeneratedLayer> {
  const tar = tarPack();
  const chunks: Buffer[] = [];
  tar.on('data', (c: unknown) => void chunks.push(c as Buffer));
  const ended = new Promise<void>((resolve, reject) => (tar.on('end', () => resolve()), tar.on('error', reject)));
  for (const e of entries) {
    const h: Partial<Header> & { name: string } = { name: e.name, mtime, uid: 0, gid: 0 };
    if (e.type === 'directory') tar.entry({ ...h, type: 'directory', mode: 0o755 });
    else if (e.type === 'symlink') tar.entry({ ...h, type: 'symlink', linkname: e.linkname, mode: 0o777 });
    else tar.entry({ ...h, mode: e.mode ?? 0o644 }, e.body);
  }
  tar.finalize();
  await ended;
  const plain = Buffer.concat(chunks);
  const gz = gzipSync(plain, { level: 9 });
  const digest = sha256(gz);
  const path = join(dir, `${digest.slice(7)}.tar.gz`);
  await writeFile(path, gz);
  return { digest, size: gz.length, diffId: sha256(plain), path, mediaType: OCI_LAYER_GZIP };
}

export interface Step {
  created: string;
  created_by: string;
  empty_layer?: true;
  comment?: string;
}

export function image(layers: GeneratedLayer[], history: Step[], config: Record<string, unknown>, created: string): GeneratedImage {
  const platform = { os: 'linux', architecture: 'amd64' };
  const cfg = {
    architecture: platform.architecture,
    os: platform.os,
    created,
    config,
    rootfs: { type: 'layers', diff_ids: layers.map((l) => l.diffId) },
    history,
  };
  return assembleImage(platform, layers, cfg);
}

const APPLETS = ['sh', 'ls', 'cat', 'echo', 'env', 'sleep', 'wget', 'httpd', 'vi'];
const PATH_ENV = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** The four builds, as an OCI layout under `dir` (refs base, hello-1, hello-2, motd). */
export async function buildSmallImages(dir: string): Promise<Record<'base' | 'hello1' | 'hello2' | 'motd', GeneratedImage>> {
  const blobs = join(dir, 'layers');
  await mkdir(blobs, { recursive: true });
  const busybox = await readFile('/bin/busybox');
  const t0 = new Date('2026-10-02T08:14:03Z');
  const at = (days: number) => new Date(t0.getTime() + days * 86_400_000);
  const iso = (d: Date) => d.toISOString();

  const baseLayer = await layer(
    blobs,
    [
      { name: 'bin/', type: 'directory' },
      { name: 'bin/busybox', body: busybox, mode: 0o755 },
      ...APPLETS.map((a) => ({ name: `bin/${a}`, type: 'symlink' as const, linkname: 'busybox' })),
      { name: 'etc/', type: 'directory' },
      { name: 'etc/passwd', body: 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' },
      { name: 'etc/group', body: 'root:x:0:\nnogroup:x:65534:\n' },
      { name: 'tmp/', type: 'directory' },
    ],
    at(0),
  );
  const baseFile = `file:${baseLayer.diffId.slice(7)}`;
  const baseHistory: Step[] = [
    { created: iso(at(0)), created_by: `/bin/sh -c #(nop) ADD ${baseFile} in / ` },
    { created: iso(at(0)), created_by: '/bin/sh -c #(nop)  CMD ["sh"]', empty_layer: true },
  ];
  const base = image([baseLayer], baseHistory, { Env: [PATH_ENV], Cmd: ['sh'] }, iso(at(0)));

  const hello = async (version: string, day: number) => {
    const when = at(day);
    const script = await layer(
      blobs,
      [
        { name: 'usr/', type: 'directory' },
        { name: 'usr/local/', type: 'directory' },
        { name: 'usr/local/bin/', type: 'directory' },
        {
          name: 'usr/local/bin/hello-service',
          body: `#!/bin/sh\necho "hello from ${version}"\nexec httpd -f -p 8080 -h /srv/www\n`,
          mode: 0o755,
        },
      ],
      when,
    );
    const www = await layer(
      blobs,
      [
        { name: 'srv/', type: 'directory' },
        { name: 'srv/www/', type: 'directory' },
        { name: 'srv/www/index.html', body: `<!doctype html><title>hello</title><p>hello-service ${version}</p>\n`.repeat(40) },
      ],
      when,
    );
    return image(
      [baseLayer, script, www],
      [
        ...baseHistory,
        { created: iso(when), created_by: 'COPY hello-service /usr/local/bin/hello-service # buildkit', comment: 'buildkit.dockerfile.v0' },
        {
          created: iso(when),
          created_by: `RUN /bin/sh -c mkdir -p /srv/www && echo "<p>hello-service ${version}</p>" > /srv/www/index.html && for i in $(seq 1 40); do cat /srv/www/index.html; done > /dev/null # buildkit`,
          comment: 'buildkit.dockerfile.v0',
        },
        { created: iso(when), created_by: 'EXPOSE map[8080/tcp:{}]', empty_layer: true, comment: 'buildkit.dockerfile.v0' },
        { created: iso(when), created_by: 'CMD ["/usr/local/bin/hello-service"]', empty_layer: true, comment: 'buildkit.dockerfile.v0' },
      ],
      {
        Env: [PATH_ENV, `HELLO_VERSION=${version}`],
        Cmd: ['/usr/local/bin/hello-service'],
        ExposedPorts: { '8080/tcp': {} },
        Labels: { 'org.opencontainers.image.version': version, 'org.opencontainers.image.title': 'hello-service' },
      },
      iso(when),
    );
  };
  const hello1 = await hello('1.4.0', 21);
  const hello2 = await hello('1.5.0', 48);

  const motdDay = at(30);
  const motdLayer = await layer(
    blobs,
    [
      { name: 'etc/', type: 'directory' },
      { name: 'etc/motd', body: 'Welcome to the small store.\nThis image prints the message of the day and exits.\n' },
    ],
    motdDay,
  );
  const motd = image(
    [baseLayer, motdLayer],
    [
      ...baseHistory,
      { created: iso(motdDay), created_by: `/bin/sh -c #(nop) COPY file:${motdLayer.diffId.slice(7)} in /etc/motd ` },
      { created: iso(motdDay), created_by: '/bin/sh -c #(nop)  ENTRYPOINT ["cat" "/etc/motd"]', empty_layer: true },
    ],
    { Env: [PATH_ENV], Entrypoint: ['cat', '/etc/motd'] },
    iso(motdDay),
  );

  await writeOciLayout(join(dir, 'layout'), [
    { ref: 'base', image: base },
    { ref: 'hello-1', image: hello1 },
    { ref: 'hello-2', image: hello2 },
    { ref: 'motd', image: motd },
  ]);
  return { base, hello1, hello2, motd };
}

/** Repository paths under the registry: long, as a team's names are. */
export const REPOSITORIES = {
  base: 'deckhand-e2e/platform-team/base-images/busybox-static',
  hello: 'deckhand-e2e/platform-team/services/hello-service-with-a-rather-long-name',
  motd: 'deckhand-e2e/tools/motd-printer',
} as const;

/**
 * Pushes the builds to `host` and pulls them into `storeDir` with `deckhand pull`; moves the hello
 * service's `latest` to its second build and pulls again, so the first build is left dangling.
 * `push(ref, dest)` pushes a layout ref to a registry reference.
 */
export async function prepareSmallStore(
  work: string,
  host: string,
  storeDir: string,
  push: (ref: string, dest: string) => Promise<void> = (ref, dest) => pushWithSkopeo(join(work, 'layout'), ref, dest),
): Promise<SmallStore> {
  const built = await buildSmallImages(work);
  const base = `${host}/${REPOSITORIES.base}:1.36.1`;
  const helloLatest = `${host}/${REPOSITORIES.hello}:latest`;
  const helloVersion = `${host}/${REPOSITORIES.hello}:1.5.0`;
  const motd = `${host}/${REPOSITORIES.motd}:2026.10`;
  await push('base', base);
  await push('hello-1', helloLatest);
  await push('motd', motd);
  for (const ref of [base, helloLatest, motd]) await cli(['--store', storeDir, 'pull', '--quiet', ref]);
  // A new build of the service is released: latest moves, and a second pull leaves the old one dangling.
  await push('hello-2', helloLatest);
  await push('hello-2', helloVersion);
  await cli(['--store', storeDir, 'pull', '--quiet', helloLatest]);
  await cli(['--store', storeDir, 'pull', '--quiet', helloVersion]);
  return {
    host,
    refs: { base, hello: helloLatest, helloVersion, motd },
    repositories: Object.values(REPOSITORIES).map((r) => `${host}/${r}`),
    danglingDigest: built.hello1.manifestDigest,
    digests: {
      base: built.base.manifestDigest,
      hello: built.hello2.manifestDigest,
      helloOld: built.hello1.manifestDigest,
      motd: built.motd.manifestDigest,
    },
  };
}

interface SmallWorker {
  smallTemplate: { store: SmallStore; dir: string };
}

interface SmallTest {
  /** A copy of the worker's small store, for this test. */
  smallStore: SmallStore & { dir: string };
  /** The app on that copy; fails the test on any console or page error. */
  smallApp: App;
}

export const test = base.extend<SmallTest, SmallWorker>({
  smallTemplate: [
    async ({}, use) => {
      const work = await mkdtemp(join(tmpdir(), 'deckhand-e2e-small-'));
      const registry = await startRegistry();
      try {
        const dir = join(work, 'store');
        const store = await prepareSmallStore(work, registry.host, dir);
        await use({ store, dir });
      } finally {
        await registry.stop();
        await rm(work, { recursive: true, force: true });
      }
    },
    { scope: 'worker', timeout: 120_000 },
  ],
  smallStore: async ({ smallTemplate }, use) => {
    const dir = await mkdtemp(join(tmpdir(), 'deckhand-e2e-small-store-'));
    await cp(smallTemplate.dir, dir, { recursive: true });
    try {
      await use({ ...smallTemplate.store, dir });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  },
  smallApp: async ({ smallStore }, use) => {
    await openApp(smallStore.dir, use);
  },
});

export { expect };
