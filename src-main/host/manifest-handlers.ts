/**
 * Manifest lists from stored images, for the app's "Combine into a multi-platform image…": the
 * preview (entries, document, digest; nothing written) and the creation of exactly that document.
 */
import type { Handlers, ManifestListPreview } from '../../src-shared/ipc/contract.ts';
import { formatPlatform, parsePlatform } from '../../src-shared/oci/platform.ts';
import type { PlatformOverride } from '../engine/store/list-document.ts';
import { composeList, createComposedList } from '../engine/store/lists.ts';
import type { HostContext } from './handlers.ts';

type Change = { digest: string; platform?: string | undefined; features?: string[] | undefined };

function overridesOf(changes: Change[] | undefined): Map<string, PlatformOverride> {
  const out = new Map<string, PlatformOverride>();
  for (const c of changes ?? []) {
    const o: PlatformOverride = {};
    if (c.platform !== undefined) {
      const p = parsePlatform(c.platform);
      o.os = p.os;
      o.architecture = p.architecture;
      o.variant = p.variant ?? '';
    }
    if (c.features !== undefined) o.features = c.features;
    out.set(c.digest, o);
  }
  return out;
}

export function manifestHandlers(ctx: HostContext): Pick<Handlers, 'previewManifestList' | 'createManifestList'> {
  return {
    previewManifestList: async ({ images, changes }): Promise<ManifestListPreview> => {
      const { entries, built } = await composeList(await ctx.store(), images, overridesOf(changes));
      return {
        mediaType: built.mediaType,
        digest: built.digest,
        size: built.size,
        json: built.bytes.toString('utf8'),
        entries: entries.map(({ image, entry, configPlatform }) => ({
          image,
          digest: entry.digest,
          mediaType: entry.mediaType,
          size: entry.size,
          platform: formatPlatform(entry.platform),
          configPlatform: formatPlatform(configPlatform),
          features: entry.features ?? [],
        })),
      };
    },
    createManifestList: async ({ images, changes, name, digest }) => {
      const { name: stored, built } = await createComposedList(await ctx.store(), name, images, overridesOf(changes), digest);
      ctx.storeChanged('manifest');
      return {
        name: stored,
        digest: built.digest,
        mediaType: built.mediaType,
        platforms: built.index.manifests.map((d) => (d.platform ? formatPlatform(d.platform) : '')),
      };
    },
  };
}
