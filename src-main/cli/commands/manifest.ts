/**
 * `deckhand manifest SUBCOMMAND`: manifest lists made from stored images, with podman manifest's
 * subcommands, flags and meanings (engine: store/lists.ts; push: transfer/push.ts, the one pipeline).
 */
import { parseArgs } from '../args.ts';
import { formatBytes } from '../../../src-shared/format.ts';
import { DOCKER_MANIFEST_LIST } from '../../../src-shared/oci/mediatypes.ts';
import { formatPlatform } from '../../../src-shared/oci/platform.ts';
import { removeImages } from '../../engine/store/remove.ts';
import { addToList, annotateList, createList, readList, removeFromList } from '../../engine/store/lists.ts';
import type { BuiltList, PlatformOverride } from '../../engine/store/list-document.ts';
import { push } from '../../engine/transfer/push.ts';
import { checkingArguments } from '../arguments.ts';
import { openStore, type Command, type CommandContext } from '../context.ts';
import { COMMAND_HELP } from '../help.ts';
import { json, table } from '../output.ts';
import { openStoreToRead } from '../read-store.ts';
import { TRANSFER_FLAGS, transferSetup } from '../transfer-flags.ts';
import { usageError, wantsJson } from '../usage.ts';

const OPTIONS = {
  all: { type: 'boolean' },
  os: { type: 'string' },
  arch: { type: 'string' },
  variant: { type: 'string' },
  'os-version': { type: 'string' },
  features: { type: 'string' },
  annotation: { type: 'string', multiple: true },
  index: { type: 'boolean' },
  ...TRANSFER_FLAGS,
} as const;

const SUBCOMMANDS = ['create', 'add', 'annotate', 'remove', 'inspect', 'rm', 'push'] as const;
type Sub = (typeof SUBCOMMANDS)[number];
/** What each takes after LIST, and which of the entry options. */
const ARITY: Record<Sub, { args: number[]; what: string }> = {
  create: { args: [1, Infinity], what: 'a list name and the stored images to list' },
  add: { args: [2, 2], what: 'a list and a stored image' },
  annotate: { args: [1, 2], what: "a list and an entry's digest" },
  remove: { args: [2, 2], what: "a list and an entry's digest" },
  inspect: { args: [1, 1], what: 'a list' },
  rm: { args: [1, 1], what: 'a list' },
  push: { args: [2, 2], what: 'a list and a destination' },
};
const PLATFORM_FLAGS = ['os', 'arch', 'variant', 'os-version', 'features'] as const;

type Values = ReturnType<typeof parse>['values'];

/** podman's `--all=false` and `--all=true`; node's parseArgs takes `--no-all` for the former. */
function parse(args: string[]) {
  const normalized = args.map((a) => (a === '--all=false' ? '--no-all' : a === '--all=true' ? '--all' : a));
  return parseArgs({ args: normalized, allowPositionals: true, allowNegative: true, options: OPTIONS });
}

function annotations(values: Values, usage: string): Record<string, string> | undefined {
  if (!values.annotation?.length) return undefined;
  const out: Record<string, string> = {};
  for (const a of values.annotation) {
    const eq = a.indexOf('=');
    if (eq <= 0) throw usageError(usage, `--annotation ${a} is not KEY=VALUE`);
    out[a.slice(0, eq)] = a.slice(eq + 1);
  }
  return out;
}

function override(values: Values, usage: string): PlatformOverride {
  const o: PlatformOverride = {};
  if (values.os !== undefined) o.os = values.os;
  if (values.arch !== undefined) o.architecture = values.arch;
  if (values.variant !== undefined) o.variant = values.variant;
  if (values['os-version'] !== undefined) o.osVersion = values['os-version'];
  if (values.features !== undefined)
    o.features = values.features
      .split(',')
      .map((f) => f.trim())
      .filter(Boolean);
  const a = annotations(values, usage);
  if (a) o.annotations = a;
  return o;
}

function refuseFlags(sub: Sub, values: Values, names: readonly string[], usage: string): void {
  const given = names.filter((n) => values[n as keyof Values] !== undefined);
  if (given.length > 0) throw usageError(usage, `manifest ${sub} does not take ${given.map((n) => `--${n}`).join(', ')}`);
}

function kindOf(mediaType: string): string {
  return mediaType === DOCKER_MANIFEST_LIST ? 'Docker manifest list' : 'OCI image index';
}

function report(ctx: CommandContext, asJson: boolean, name: string, built: BuiltList): number {
  const entries = built.index.manifests.map((d) => ({ digest: d.digest, platform: d.platform ? formatPlatform(d.platform) : '' }));
  if (asJson) json({ name, digest: built.digest, mediaType: built.mediaType, entries }, ctx.stdout);
  else {
    ctx.stdout.write(`${name} → ${built.digest}\n`);
    ctx.stderr.write(
      `${kindOf(built.mediaType)} of ${entries.length} image(s)${entries.length ? `: ${entries.map((e) => e.platform).join(', ')}` : ''}.\n`,
    );
  }
  return 0;
}

export const manifestCommand: Command = {
  usage: COMMAND_HELP.manifest.usage,
  options: OPTIONS,
  async run(ctx) {
    const usage = this.usage;
    const { values, positionals } = parse(ctx.args);
    const sub = positionals[0] as Sub | undefined;
    if (sub === undefined || !SUBCOMMANDS.includes(sub))
      throw usageError(
        usage,
        sub === undefined ? 'manifest needs a subcommand' : `unknown manifest subcommand "${sub}" (use ${SUBCOMMANDS.join(', ')})`,
      );
    const rest = positionals.slice(1);
    const [min, max] = ARITY[sub].args as [number, number];
    if (rest.length < min || rest.length > max) throw usageError(usage, `manifest ${sub} takes ${ARITY[sub].what}`);
    const asJson = wantsJson(values.format, usage);
    const list = rest[0]!;
    if (sub !== 'push') refuseFlags(sub, values, ['tls-verify', 'cert-dir', 'quiet'], usage);
    if (sub !== 'add' && sub !== 'annotate') refuseFlags(sub, values, PLATFORM_FLAGS, usage);
    if (sub !== 'annotate') refuseFlags(sub, values, ['index'], usage);
    if (sub !== 'create' && sub !== 'add' && sub !== 'push') refuseFlags(sub, values, ['all'], usage);
    if (sub === 'remove' || sub === 'inspect' || sub === 'rm' || sub === 'push') refuseFlags(sub, values, ['annotation'], usage);
    const work = async (): Promise<number> => {
      switch (sub) {
        case 'create': {
          const images = rest.slice(1).map((image) => ({ image, all: values.all ?? false }));
          const built = await createList(await openStore(ctx), list, images, annotations(values, usage));
          return report(ctx, asJson, (await readList(await openStoreToRead(ctx), list)).name, built);
        }
        case 'add': {
          const store = await openStore(ctx);
          const built = await addToList(store, list, { image: rest[1]!, all: values.all ?? false, override: override(values, usage) });
          return report(ctx, asJson, (await readList(store, list)).name, built);
        }
        case 'annotate': {
          const store = await openStore(ctx);
          if (values.index && rest[1] !== undefined) throw usageError(usage, 'manifest annotate --index takes the list alone, no digest');
          if (!values.index && rest[1] === undefined)
            throw usageError(usage, "manifest annotate takes a list and an entry's digest (or --index)");
          const built = await annotateList(store, list, rest[1], override(values, usage), { index: values.index ?? false });
          return report(ctx, asJson, (await readList(store, list)).name, built);
        }
        case 'remove': {
          const store = await openStore(ctx);
          const built = await removeFromList(store, list, rest[1]!);
          return report(ctx, asJson, (await readList(store, list)).name, built);
        }
        case 'inspect':
          return inspect(ctx, asJson, list);
        case 'rm': {
          const store = await openStoreToRead(ctx);
          const stored = await readList(store, list);
          const result = await removeImages(store, [stored.name]);
          if (asJson) json(result, ctx.stdout);
          else {
            ctx.stdout.write(`Removed: ${stored.name}\n`);
            ctx.stdout.write(`Freed ${formatBytes(result.freedBytes)} (${result.deleted.length} blob(s) nothing else uses)\n`);
          }
          return 0;
        }
        case 'push': {
          const { common } = transferSetup(ctx, values, usage);
          const store = await openStoreToRead(ctx);
          const stored = await readList(store, list);
          const result = await push(store, stored.name, rest[1]!, { ...common, indexOnly: values.all === false });
          if (asJson) json(result, ctx.stdout);
          else ctx.stdout.write(`${result.digest}\n`);
          return 0;
        }
      }
    };
    return checkingArguments(ctx.args, work);
  },
};

async function inspect(ctx: CommandContext, asJson: boolean, name: string): Promise<number> {
  const store = await openStoreToRead(ctx);
  const list = await readList(store, name);
  const bytes = await store.readBlob(list.descriptor.digest);
  if (asJson) {
    // The document itself, as podman manifest inspect prints it.
    ctx.stdout.write(`${JSON.stringify(JSON.parse(bytes.toString('utf8')), null, 2)}\n`);
    return 0;
  }
  ctx.stdout.write(`${list.name}\n${kindOf(list.descriptor.mediaType)} ${list.descriptor.digest} (${formatBytes(bytes.length)})\n\n`);
  if (list.model.entries.length === 0) {
    ctx.stdout.write('No images yet: add them with `deckhand manifest add`.\n');
    return 0;
  }
  table(
    [
      ['PLATFORM', 'DIGEST', 'MANIFEST', 'FEATURES', 'ANNOTATIONS'],
      ...list.model.entries.map((e) => [
        formatPlatform(e.platform) + (e.platform['os.version'] ? ` (${e.platform['os.version']})` : ''),
        e.digest,
        formatBytes(e.size),
        e.features?.join(',') ?? '',
        Object.entries(e.annotations ?? {})
          .map(([k, v]) => `${k}=${v}`)
          .join(' '),
      ]),
    ],
    ctx.stdout,
  );
  if (list.model.annotations)
    ctx.stdout.write(
      `\nList annotations: ${Object.entries(list.model.annotations)
        .map(([k, v]) => `${k}=${v}`)
        .join(' ')}\n`,
    );
  return 0;
}
