/**
 * Platforms: the `platform` object of an image index entry.
 * Spec: https://github.com/opencontainers/image-spec/blob/main/image-index.md#image-index-property-descriptions
 * Values follow Go's GOOS/GOARCH: https://go.dev/doc/install/source#environment
 * Normalization and fallback order follow containerd's platforms package (database.go normalizeArch,
 * compare.go platformVector): https://github.com/containerd/platforms
 */
import { DeckhandError } from '../errors.ts';
import type { Descriptor, ImageIndex } from './manifest.ts';

export interface Platform {
  os: string;
  architecture: string;
  variant?: string;
  'os.version'?: string;
  'os.features'?: string[];
}

export const KNOWN_OS: ReadonlySet<string> = new Set([
  'aix',
  'android',
  'darwin',
  'dragonfly',
  'freebsd',
  'hurd',
  'illumos',
  'ios',
  'js',
  'linux',
  'nacl',
  'netbsd',
  'openbsd',
  'plan9',
  'solaris',
  'wasip1',
  'windows',
  'zos',
]);
export const KNOWN_ARCH: ReadonlySet<string> = new Set([
  '386',
  'amd64',
  'amd64p32',
  'arm',
  'armbe',
  'arm64',
  'arm64be',
  'ppc64',
  'ppc64le',
  'loong64',
  'mips',
  'mipsle',
  'mips64',
  'mips64le',
  'mips64p32',
  'mips64p32le',
  'ppc',
  'riscv',
  'riscv64',
  's390',
  's390x',
  'sparc',
  'sparc64',
  'wasm',
]);

const EXAMPLES =
  'Use os/architecture[/variant], e.g. linux/amd64, linux/arm64 or linux/arm/v7, or just an architecture such as arm64 (meaning linux/arm64).';

function normalizeOS(os: string): string {
  const lower = os.toLowerCase();
  return lower === 'macos' ? 'darwin' : lower;
}

function normalizeArch(arch: string, variant: string): [string, string] {
  arch = arch.toLowerCase();
  variant = variant.toLowerCase();
  switch (arch) {
    case 'i386':
    case 'i686':
    case 'x86':
    case '386':
      return ['386', arch === '386' ? variant : ''];
    case 'x86_64':
    case 'x86-64':
    case 'amd64':
      return ['amd64', variant === 'v1' ? '' : variant];
    case 'aarch64':
    case 'arm64':
      return ['arm64', variant === '8' || variant === 'v8' || variant === 'v8.0' ? '' : variant];
    case 'armhf':
      return ['arm', 'v7'];
    case 'armel':
      return ['arm', 'v6'];
    case 'arm':
      if (variant === '' || variant === '7') return ['arm', 'v7'];
      if (variant === '5' || variant === '6' || variant === '8') return ['arm', `v${variant}`];
      return ['arm', variant];
    default:
      return [arch, variant];
  }
}

/** Canonical form: lowercase os and architecture, aliases resolved, default variants dropped. */
export function normalizePlatform(p: Platform): Platform {
  const [architecture, variant] = normalizeArch(p.architecture, p.variant ?? '');
  const out: Platform = { os: normalizeOS(p.os), architecture };
  if (variant !== '') out.variant = variant;
  if (p['os.version'] !== undefined && p['os.version'] !== '') out['os.version'] = p['os.version'];
  if (p['os.features'] !== undefined && p['os.features'].length > 0) out['os.features'] = [...p['os.features']];
  return out;
}

function platformError(s: unknown, why: string): DeckhandError {
  const shown = typeof s === 'string' ? JSON.stringify(s.length > 80 ? `${s.slice(0, 80)}…` : s) : `a ${typeof s}`;
  return new DeckhandError('EPLATFORM', `Invalid platform ${shown}: ${why}. ${EXAMPLES}`, {
    detail: { value: typeof s === 'string' ? s.slice(0, 200) : typeof s },
  });
}

const PART_RE = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;
const OS_VERSION_RE = /^([A-Za-z0-9_.-]+)\(([A-Za-z0-9_.-]+)\)$/;

/** Parses `os/arch[/variant]` (os may carry a version, `windows(10.0.17763)`), or a bare architecture meaning linux. */
export function parsePlatform(s: string): Platform {
  if (typeof s !== 'string' || s.trim() === '') throw platformError(s, 'it is empty');
  const parts = s.trim().split('/');
  if (parts.length > 3) throw platformError(s, 'it has more than three parts');
  if (parts.length === 1) {
    const only = parts[0] ?? '';
    if (!PART_RE.test(only)) throw platformError(s, 'it must be letters, digits, "_", "." and "-", starting with a letter or digit');
    const [arch, variant] = normalizeArch(only, '');
    if (KNOWN_OS.has(normalizeOS(only))) throw platformError(s, 'it names an operating system but no architecture');
    if (!KNOWN_ARCH.has(arch)) throw platformError(s, `${JSON.stringify(only)} is not a known architecture`);
    return normalizePlatform({ os: 'linux', architecture: arch, ...(variant ? { variant } : {}) });
  }
  const [osPart = '', arch = '', variant] = parts;
  let os = osPart;
  let osVersion: string | undefined;
  const withVersion = OS_VERSION_RE.exec(osPart);
  if (withVersion) {
    os = withVersion[1] ?? '';
    osVersion = withVersion[2];
  }
  for (const [name, value] of [
    ['operating system', os],
    ['architecture', arch],
    ['variant', variant],
  ] as const) {
    if (value === undefined) continue;
    if (value === '') throw platformError(s, `the ${name} is empty`);
    if (!PART_RE.test(value))
      throw platformError(s, `the ${name} must be letters, digits, "_", "." and "-", starting with a letter or digit`);
  }
  const p: Platform = { os, architecture: arch };
  if (variant !== undefined) p.variant = variant;
  if (osVersion !== undefined) p['os.version'] = osVersion;
  return normalizePlatform(p);
}

/** `linux/arm64`, `linux/arm/v7`: normalized, os.version and features left out. */
export function formatPlatform(p: Platform): string {
  const n = normalizePlatform(p);
  return n.variant ? `${n.os}/${n.architecture}/${n.variant}` : `${n.os}/${n.architecture}`;
}

/**
 * The platform to pull for the machine Deckhand runs on. Containers are Linux everywhere: on macOS
 * and Windows they run in a Linux VM of the host's architecture, so os is always linux.
 */
export function hostPlatform(nodePlatform: string, nodeArch: string): Platform {
  void nodePlatform;
  switch (nodeArch) {
    case 'x64':
      return { os: 'linux', architecture: 'amd64' };
    case 'arm64':
      return { os: 'linux', architecture: 'arm64' };
    case 'arm':
      return { os: 'linux', architecture: 'arm', variant: 'v7' };
    case 'ia32':
      return { os: 'linux', architecture: '386' };
    case 'ppc64':
      return { os: 'linux', architecture: 'ppc64le' };
    case 's390x':
      return { os: 'linux', architecture: 's390x' };
    case 'riscv64':
      return { os: 'linux', architecture: 'riscv64' };
    case 'loong64':
      return { os: 'linux', architecture: 'loong64' };
    default:
      throw new DeckhandError(
        'EPLATFORM',
        `Cannot tell which image platform fits this machine (Node reports architecture ${JSON.stringify(String(nodeArch))}). Choose one explicitly with --platform, e.g. linux/amd64.`,
        { detail: { nodePlatform, nodeArch } },
      );
  }
}

export function platformsEqual(a: Platform, b: Platform): boolean {
  const x = normalizePlatform(a);
  const y = normalizePlatform(b);
  return (
    x.os === y.os &&
    x.architecture === y.architecture &&
    (x.variant ?? '') === (y.variant ?? '') &&
    (x['os.version'] ?? '') === (y['os.version'] ?? '')
  );
}

/** `v7` → 7, `''` → fallback, anything else → NaN. */
function variantNumber(variant: string | undefined, ifEmpty: number): number {
  if (variant === undefined || variant === '') return ifEmpty;
  const m = /^v([0-9]{1,2})$/.exec(variant);
  return m ? Number(m[1]) : Number.NaN;
}

/**
 * How well `have` serves a machine that wants `want`: 0 for an exact match after normalization,
 * 1, 2, … for compatible older variants (lower is better), -1 when it cannot run. The fallbacks are
 * containerd's, minus the cross-architecture ones: arm/vN runs arm/v(N-1) … arm/v5, and amd64/vN runs
 * amd64/v(N-1) … v1. Operating systems must match.
 */
export function platformMatchRank(want: Platform, have: Platform): number {
  const w = normalizePlatform(want);
  const h = normalizePlatform(have);
  if (w.os !== h.os || w.architecture !== h.architecture) return -1;
  if ((w.variant ?? '') === (h.variant ?? '')) return 0;
  let floor: number;
  let wv: number;
  let hv: number;
  if (w.architecture === 'arm') {
    floor = 5;
    wv = variantNumber(w.variant, 7);
    hv = variantNumber(h.variant, 7);
  } else if (w.architecture === 'amd64') {
    floor = 1;
    wv = variantNumber(w.variant, 1);
    hv = variantNumber(h.variant, 1);
  } else {
    return -1;
  }
  if (Number.isNaN(wv) || Number.isNaN(hv) || hv < floor || hv >= wv) return -1;
  return wv - hv;
}

/** Docker buildx attaches provenance/SBOM manifests to indexes as `unknown/unknown` entries. */
export function isAttestationDescriptor(d: Descriptor): boolean {
  if (d.annotations?.['vnd.docker.reference.type'] === 'attestation-manifest') return true;
  return d.platform?.os === 'unknown' && d.platform.architecture === 'unknown';
}

/** The index entry that best fits `want` (exact first, then the nearest compatible variant), if any. */
export function selectPlatformManifests(index: ImageIndex, want: Platform): Descriptor | undefined {
  let best: Descriptor | undefined;
  let bestRank = Number.POSITIVE_INFINITY;
  for (const d of index.manifests) {
    if (d.platform === undefined || isAttestationDescriptor(d)) continue;
    const rank = platformMatchRank(want, d.platform);
    if (rank >= 0 && rank < bestRank) {
      best = d;
      bestRank = rank;
    }
  }
  return best;
}
