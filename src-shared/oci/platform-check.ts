/**
 * Whether a platform is one an image index may name: a known operating system and architecture
 * (Go's GOOS and GOARCH lists, as containerd's platforms package knows them: database.go isKnownOS,
 * isKnownArch) and a variant that architecture has (containerd's normalizeArch and compare.go:
 * arm v5-v8, arm64 v8.x and v9.x, amd64 v1-v4 microarchitecture levels, riscv64 RVA profiles).
 * https://github.com/containerd/platforms
 */
import { DeckhandError } from '../errors.ts';
import { KNOWN_ARCH, KNOWN_OS, normalizePlatform, type Platform } from './platform.ts';

const VARIANTS: Record<string, RegExp> = {
  arm: /^v[5-8]$/,
  arm64: /^v(8(\.[0-9])?|9(\.[0-9])?)$/,
  amd64: /^v[1-4]$/,
  riscv64: /^rva2[02]u64$/,
};

/** `value`: the part refused, as given (the CLI makes it a usage error when the user typed it). */
function refuse(what: string, hint: string, p: Platform, value: string | undefined): never {
  throw new DeckhandError('EPLATFORM', `${what}. ${hint}`, { detail: { platform: p, value: value ?? '' } });
}

/**
 * The platform normalized (aarch64 → arm64, arm → arm/v7, …), or EPLATFORM naming the part that is
 * not known: an index entry whose platform no runtime matches would never be chosen.
 */
export function checkPlatform(p: Platform): Platform {
  const n = normalizePlatform(p);
  if (!KNOWN_OS.has(n.os))
    refuse(
      `${JSON.stringify(p.os)} is not a known operating system`,
      "Use one of Go's GOOS values, e.g. linux, windows, darwin or freebsd.",
      p,
      p.os,
    );
  if (!KNOWN_ARCH.has(n.architecture))
    refuse(
      `${JSON.stringify(p.architecture)} is not a known architecture`,
      "Use one of Go's GOARCH values, e.g. amd64, arm64, arm, 386, ppc64le, s390x or riscv64.",
      p,
      p.architecture,
    );
  if (n.variant !== undefined) {
    const allowed = VARIANTS[n.architecture];
    if (!allowed)
      refuse(
        `${n.architecture} has no variants (${JSON.stringify(p.variant)} was given)`,
        'Leave the variant out for this architecture.',
        p,
        p.variant,
      );
    if (!allowed.test(n.variant))
      refuse(
        `${JSON.stringify(p.variant)} is not a variant of ${n.architecture}`,
        `Known variants: ${VARIANT_EXAMPLES[n.architecture]}.`,
        p,
        p.variant,
      );
  }
  return n;
}

const VARIANT_EXAMPLES: Record<string, string> = {
  arm: 'v5, v6, v7 (the default), v8',
  arm64: 'v8 (the default), v8.1 … v8.9, v9, v9.1 …',
  amd64: 'v1 (the default), v2, v3, v4',
  riscv64: 'rva20u64, rva22u64',
};
