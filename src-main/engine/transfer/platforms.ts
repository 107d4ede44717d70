/** The platform of a stored image manifest: from its index descriptor when it has one, else from its config. */
import { parseImageConfig, type Descriptor, type ImageManifest } from '../../../src-shared/oci/manifest.ts';
import { formatPlatform } from '../../../src-shared/oci/platform.ts';
import type { Store } from '../store/layout.ts';

export async function platformOfManifest(
  store: Store,
  descriptor: Descriptor,
  manifest: ImageManifest,
  readConfig: (digest: string) => Promise<Buffer> = (digest) => store.readBlob(digest),
): Promise<string> {
  if (descriptor.platform) return formatPlatform(descriptor.platform);
  const config = parseImageConfig(await readConfig(manifest.config.digest));
  return formatPlatform({ os: config.os, architecture: config.architecture, ...(config.variant ? { variant: config.variant } : {}) });
}
