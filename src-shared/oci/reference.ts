/**
 * Image references, with Docker's grammar and normalization.
 * Grammar: https://github.com/distribution/reference/blob/main/reference.go (and regexp.go)
 * Normalization: https://github.com/distribution/reference/blob/main/normalize.go
 * OCI layout ref.name: https://github.com/opencontainers/image-spec/blob/main/annotations.md#pre-defined-annotation-keys
 *
 *   reference  := name [ ":" tag ] [ "@" digest ]
 *   name       := [domain '/'] remote-name
 *   domain     := host [':' port-number]          host: DNS name or [IPv6]
 *   remote-name:= path-component ['/' path-component]*
 *   path-component := [a-z0-9]+ (separator [a-z0-9]+)*   separator: '.', '_', '__', '-'+
 *   tag        := [\w][\w.-]{0,127}
 *
 * Deviation from normalize.go: an uppercase first component (`Foo/bar`) is rejected as an
 * uppercase repository name instead of being taken as a registry host named "Foo".
 */
import { DeckhandError } from '../errors.ts';
import { isDigest } from './digest.ts';

export interface ImageReference {
  domain: string;
  path: string;
  tag?: string;
  digest?: string;
}

export const DEFAULT_DOMAIN = 'docker.io';
const LEGACY_DEFAULT_DOMAIN = 'index.docker.io';
const OFFICIAL_PREFIX = 'library/';
export const NAME_TOTAL_LENGTH_MAX = 255;

const PATH_COMPONENT = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
const PATH_RE = new RegExp(`^${PATH_COMPONENT}(?:/${PATH_COMPONENT})*$`);
const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const DOMAIN_RE = new RegExp(`^(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[[a-fA-F0-9:]+\\])(?::[0-9]+)?$`);
const TAG_RE = /^\w[\w.-]{0,127}$/;
const IMAGE_ID_RE = /^[a-f0-9]{64}$/;

const GRAMMAR =
  'A reference looks like [registry[:port]/]repository[:tag][@digest], with a lowercase repository, e.g. nginx:1.25, ghcr.io/owner/app:v1 or localhost:5000/team/app@sha256:<64 hex>.';

function show(s: string): string {
  return JSON.stringify(s.length > 80 ? `${s.slice(0, 80)}…` : s);
}

function refError(input: unknown, why: string): DeckhandError {
  const shown = typeof input === 'string' ? show(input) : `(a ${input === null ? 'null' : typeof input})`;
  return new DeckhandError('EREFERENCE', `Invalid image reference ${shown}: ${why}. ${GRAMMAR}`, {
    detail: { input: typeof input === 'string' ? input.slice(0, 300) : typeof input },
  });
}

function looksLikeDomain(component: string): boolean {
  return component.includes('.') || component.includes(':') || component === 'localhost';
}

/** Parses a reference the way `docker pull` reads it, normalized (`nginx` → `docker.io/library/nginx:latest`). */
export function parseReference(s: string, opts?: { defaultTag?: string | false }): ImageReference {
  if (typeof s !== 'string') throw refError(s, 'it is not a string');
  if (s === '') throw refError(s, 'it is empty');
  if (s.length > 1024) throw refError(s, 'it is too long');
  if (IMAGE_ID_RE.test(s)) {
    throw refError(
      s,
      'it is 64 hexadecimal characters, which looks like an image ID rather than a name; use it where an image ID is accepted, or write name@sha256:<id> to pin a digest',
    );
  }
  if (/\s/.test(s)) throw refError(s, 'it contains whitespace');
  if (s.includes('://')) throw refError(s, 'it contains a URL scheme; leave out "https://" and write the registry host directly');

  let rest = s;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!isDigest(digest))
      throw refError(s, `the part after "@" must be a digest: sha256: followed by 64 lowercase hex characters (or sha512: and 128)`);
  }
  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG_RE.test(tag))
      throw refError(
        s,
        `the tag ${show(tag)} is not valid: a tag is 1 to 128 letters, digits, "_", "." or "-", and does not start with "." or "-"`,
      );
  }
  if (rest === '') throw refError(s, 'it has no repository name');

  const suffix = `${tag !== undefined ? `:${tag}` : ''}${digest !== undefined ? `@${digest}` : ''}`;
  let domain = DEFAULT_DOMAIN;
  let path = rest;
  const slash = rest.indexOf('/');
  if (slash >= 0 && looksLikeDomain(rest.slice(0, slash))) {
    domain = rest.slice(0, slash);
    path = rest.slice(slash + 1);
  }
  if (domain === LEGACY_DEFAULT_DOMAIN) domain = DEFAULT_DOMAIN;
  if (domain === DEFAULT_DOMAIN && !path.includes('/')) path = OFFICIAL_PREFIX + path;

  if (!DOMAIN_RE.test(domain))
    throw refError(s, `the registry ${show(domain)} is not a valid host name, IPv4 address or [IPv6] address with an optional :port`);
  if (!PATH_RE.test(path)) {
    if (PATH_RE.test(path.toLowerCase())) {
      throw refError(s, `repository names must be lowercase; try ${show(rest.toLowerCase() + suffix)}`);
    }
    throw refError(
      s,
      `the repository ${show(path)} is not valid: each "/"-separated part must be lowercase letters and digits, optionally joined by ".", "_", "__" or "-", with no empty parts`,
    );
  }
  if (domain.length + 1 + path.length > NAME_TOTAL_LENGTH_MAX)
    throw refError(s, `the name is longer than ${NAME_TOTAL_LENGTH_MAX} characters`);

  const defaultTag = opts?.defaultTag ?? 'latest';
  if (tag === undefined && digest === undefined && defaultTag !== false) {
    if (!TAG_RE.test(defaultTag)) throw refError(defaultTag, 'the default tag is not a valid tag');
    tag = defaultTag;
  }
  const ref: ImageReference = { domain, path };
  if (tag !== undefined) ref.tag = tag;
  if (digest !== undefined) ref.digest = digest;
  return ref;
}

/** `docker.io/library/nginx:1.25`, `host:5000/a/b@sha256:…`, `name:tag@sha256:…`. */
export function formatReference(r: ImageReference): string {
  return `${repositoryName(r)}${r.tag !== undefined ? `:${r.tag}` : ''}${r.digest !== undefined ? `@${r.digest}` : ''}`;
}

/** `docker.io/library/nginx`. */
export function repositoryName(r: ImageReference): string {
  return `${r.domain}/${r.path}`;
}

/** The short form docker prints: `nginx:1.25`, `user/app:1`; other registries keep their host. */
export function familiarName(r: ImageReference): string {
  let name = repositoryName(r);
  if (r.domain === DEFAULT_DOMAIN) {
    name = r.path;
    const rest = name.startsWith(OFFICIAL_PREFIX) ? name.slice(OFFICIAL_PREFIX.length) : undefined;
    if (rest !== undefined && !rest.includes('/')) name = rest;
  }
  return `${name}${r.tag !== undefined ? `:${r.tag}` : ''}${r.digest !== undefined ? `@${r.digest}` : ''}`;
}

/** True when `s` names no registry (its first component is not a host), so search registries apply. */
export function isShortName(s: string): boolean {
  const slash = s.indexOf('/');
  return slash < 0 || !looksLikeDomain(s.slice(0, slash));
}

/**
 * Reads the `org.opencontainers.image.ref.name` annotation of an OCI layout's index.json entry:
 * a full reference (what containerd and Deckhand write) or a bare tag such as `latest` or `3.20`
 * (what `skopeo copy … oci:dir:3.20` writes). A value with no "/", ":" or "@" is a bare tag.
 * The annotation grammar (annotations.md: components of [A-Za-z0-9] joined by [-._:@+] or "--",
 * separated by "/") is only a SHOULD and is narrower than Docker's (no "__", no "[::1]"), so full
 * references are checked with Docker's grammar instead.
 */
export function parseTaggedName(s: string): ImageReference | { bareTag: string } {
  if (typeof s !== 'string') throw refError(s, 'an org.opencontainers.image.ref.name value must be a string');
  if (!/[/:@]/.test(s)) {
    if (!TAG_RE.test(s)) throw refError(s, 'it is neither a full reference nor a valid tag');
    return { bareTag: s };
  }
  return parseReference(s, { defaultTag: false });
}
