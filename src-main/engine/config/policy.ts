/**
 * policy.json (containers-policy.json(5)): where it is read from, strict parsing, and the
 * requirements that apply to an image. The file is `--signature-policy PATH` when given, else
 * `~/.config/containers/policy.json`, else `/etc/containers/policy.json`; with none of them,
 * nothing is checked (Deckhand's behaviour before policy support).
 *
 * Scopes for the docker transport are tried most specific first, as containers/image does
 * (policy_eval.go, docker/policyconfiguration/naming.go): the full reference with tag or digest,
 * the repository, each parent namespace, the host[:port], then `*.domain` wildcards of the host
 * (without its port), then the transport's "" scope, then `default`.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as v from 'valibot';
import { DeckhandError } from '../../../src-shared/errors.ts';
import { parseReference, repositoryName, type ImageReference } from '../../../src-shared/oci/reference.ts';
import { PolicySchema, type PolicyDocument, type Requirement, type SignedIdentity } from './policy-schema.ts';

export type { Requirement, SignedIdentity, SigstoreRequirement } from './policy-schema.ts';

export interface Policy {
  /** The file it came from (for messages), or a description of where it came from. */
  source: string;
  doc: PolicyDocument;
}

export const SYSTEM_POLICY = '/etc/containers/policy.json';

/** The file that applies: the explicit path, else the user's, else the system's (undefined when none exists). */
export async function locatePolicy(opts: {
  path?: string | undefined;
  env?: NodeJS.ProcessEnv | undefined;
  systemPath?: string;
}): Promise<{ path: string; text: string } | undefined> {
  if (opts.path) {
    try {
      return { path: opts.path, text: await readFile(opts.path, 'utf8') };
    } catch (e) {
      throw new DeckhandError('EPOLICY', `Cannot read the signature policy ${opts.path}: ${(e as Error).message}`, {
        cause: e,
        detail: { file: opts.path },
      });
    }
  }
  const home = (opts.env ?? process.env).HOME;
  const candidates = [...(home ? [join(home, '.config/containers/policy.json')] : []), opts.systemPath ?? SYSTEM_POLICY];
  for (const path of candidates) {
    try {
      return { path, text: await readFile(path, 'utf8') };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw new DeckhandError('EPOLICY', `Cannot read the signature policy ${path}: ${(e as Error).message}`, {
        cause: e,
        detail: { file: path },
      });
    }
  }
  return undefined;
}

export async function loadPolicy(opts: {
  path?: string | undefined;
  env?: NodeJS.ProcessEnv | undefined;
  systemPath?: string;
}): Promise<Policy | undefined> {
  const found = await locatePolicy(opts);
  return found ? parsePolicy(found.text, found.path) : undefined;
}

/** `transports.docker["quay.io/team"][0].keyPath`: the path of a field as a reader finds it in the file. */
export function fieldPath(keys: ReadonlyArray<unknown>): string {
  let out = '';
  for (const k of keys) {
    if (typeof k === 'number') out += `[${k}]`;
    else if (typeof k === 'string' && /^[A-Za-z_][\w-]*$/.test(k)) out += out ? `.${k}` : k;
    else out += `[${JSON.stringify(String(k))}]`;
  }
  return out || '(top level)';
}

function invalid(file: string, path: string, problem: string): DeckhandError {
  return new DeckhandError('EPOLICY', `Invalid signature policy ${file}: ${path}: ${problem}`, { detail: { file, path } });
}

/** Parses and checks a policy; any unknown or malformed field rejects the whole file, naming it. */
export function parsePolicy(text: string, file: string): Policy {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new DeckhandError('EPOLICY', `Invalid signature policy ${file}: not JSON (${(e as Error).message})`, {
      cause: e,
      detail: { file },
    });
  }
  const result = v.safeParse(PolicySchema, raw);
  if (!result.success) {
    const issue = result.issues[0];
    const keys = issue.path?.map((p) => p.key) ?? [];
    const problem = issue.type === 'strict_object' ? `unknown field ${JSON.stringify(String(keys.at(-1)))}` : issue.message;
    throw invalid(file, fieldPath(keys), problem);
  }
  const doc = result.output;
  checkRequirements(file, ['default'], doc.default);
  for (const [transport, scopes] of Object.entries(doc.transports ?? {})) {
    for (const [scope, reqs] of Object.entries(scopes)) checkRequirements(file, ['transports', transport, scope], reqs);
  }
  return { source: file, doc };
}

/** What the schema cannot say: exactly one key source, at most one Rekor key, references that parse. */
function checkRequirements(file: string, at: unknown[], reqs: Requirement[]): void {
  reqs.forEach((req, i) => {
    const here = [...at, i];
    if (req.type === 'sigstoreSigned') {
      const sources = (['keyPath', 'keyPaths', 'keyData', 'keyDatas', 'fulcio', 'pki'] as const).filter((k) => req[k] !== undefined);
      if (sources.length !== 1)
        throw invalid(
          file,
          fieldPath(here),
          `sigstoreSigned needs exactly one of keyPath, keyPaths, keyData, keyDatas, fulcio or pki${sources.length ? ` (found ${sources.join(', ')})` : ''}`,
        );
      const rekor = (['rekorPublicKeyPath', 'rekorPublicKeyPaths', 'rekorPublicKeyData', 'rekorPublicKeyDatas'] as const).filter(
        (k) => req[k] !== undefined,
      );
      if (rekor.length > 1) throw invalid(file, fieldPath(here), `at most one of ${rekor.join(', ')} may be set`);
    }
    if (req.type === 'signedBy') {
      const sources = (['keyPath', 'keyPaths', 'keyData'] as const).filter((k) => req[k] !== undefined);
      if (sources.length !== 1) throw invalid(file, fieldPath(here), 'signedBy needs exactly one of keyPath, keyPaths or keyData');
    }
    const identity =
      req.type === 'signedBaseLayer'
        ? req.baseLayerIdentity
        : req.type === 'sigstoreSigned' || req.type === 'signedBy'
          ? req.signedIdentity
          : undefined;
    if (identity) checkIdentity(file, [...here, req.type === 'signedBaseLayer' ? 'baseLayerIdentity' : 'signedIdentity'], identity);
  });
}

function checkIdentity(file: string, at: unknown[], id: SignedIdentity): void {
  try {
    if (id.type === 'exactReference') {
      const ref = parseReference(id.dockerReference, { defaultTag: false });
      if (!ref.tag && !ref.digest)
        throw new Error('it names a repository only; exactReference needs a tag or digest (use exactRepository for a repository)');
    } else if (id.type === 'exactRepository') {
      const ref = parseReference(id.dockerRepository, { defaultTag: false });
      if (ref.tag || ref.digest) throw new Error('exactRepository takes a repository without a tag or digest');
    } else if (id.type === 'remapIdentity') {
      for (const prefix of [id.prefix, id.signedPrefix]) {
        const tagged = prefix.includes('/') && prefix.slice(prefix.lastIndexOf('/')).includes(':');
        if (prefix.includes('@') || tagged || /\s/.test(prefix))
          throw new Error(`${JSON.stringify(prefix)} is not a host[:port], namespace or repository (no tag or digest)`);
      }
    }
  } catch (e) {
    throw invalid(file, fieldPath(at), (e as Error).message);
  }
}

/** Where in the policy a requirement list came from, for messages: `default`, `transports.docker["quay.io"]`. */
export interface ScopedRequirements {
  scope: string;
  requirements: Requirement[];
}

/** The identity and the namespaces a docker reference is looked up under, most specific first. */
export function dockerScopes(ref: ImageReference): string[] {
  const name = repositoryName(ref);
  const out: string[] = [];
  if (ref.digest) out.push(`${name}@${ref.digest}`);
  if (ref.tag) out.push(`${name}:${ref.tag}`);
  for (let n = name; ;) {
    out.push(n);
    const slash = n.lastIndexOf('/');
    if (slash < 0) break;
    n = n.slice(0, slash);
  }
  // Wildcards work on the host name only: the port (if any) is dropped first.
  let host = ref.domain.startsWith('[') ? '' : ref.domain.split(':')[0]!;
  for (let dot = host.indexOf('.'); dot >= 0; dot = host.indexOf('.')) {
    host = host.slice(dot + 1);
    out.push(`*.${host}`);
  }
  return out;
}

/** The requirements for an image reached through `transport`; `ref` is used for the docker transport's scopes. */
export function requirementsFor(policy: Policy, transport: string, ref?: ImageReference): ScopedRequirements {
  const scopes = policy.doc.transports?.[transport];
  if (scopes) {
    const candidates = transport === 'docker' && ref ? dockerScopes(ref) : [];
    for (const scope of [...candidates, '']) {
      const reqs = scopes[scope];
      if (reqs) return { scope: `transports.${transport}[${JSON.stringify(scope)}]`, requirements: reqs };
    }
  }
  return { scope: 'default', requirements: policy.doc.default };
}

/** The scopes a whole registry (`docker://HOST`, no repository) is looked up under: host[:port], then `*.domain` wildcards of the host name. */
export function registryScopes(host: string): string[] {
  const out = [host];
  let name = host.startsWith('[') ? '' : host.split(':')[0]!;
  for (let dot = name.indexOf('.'); dot >= 0; dot = name.indexOf('.')) {
    name = name.slice(dot + 1);
    out.push(`*.${name}`);
  }
  return out;
}

/** The requirements for `docker://HOST` as a whole (repository scopes under it are not considered). */
export function requirementsForRegistry(policy: Policy, host: string): ScopedRequirements {
  const scopes = policy.doc.transports?.docker;
  if (scopes) {
    for (const scope of [...registryScopes(host), '']) {
      const reqs = scopes[scope];
      if (reqs) return { scope: `transports.docker[${JSON.stringify(scope)}]`, requirements: reqs };
    }
  }
  return { scope: 'default', requirements: policy.doc.default };
}
