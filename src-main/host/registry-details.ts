/**
 * The registry settings view's call: what applies to one registry host, read fresh from the same
 * files pulls and pushes read (registries.conf and drop-ins, the app's keychain logins and the auth
 * files with their credential helpers, policy.json). A login is described by its user and where it
 * is stored; the secret is dropped as soon as it is read and is in no result or message.
 */
import type {
  Handlers,
  PolicyRequirementDetails,
  RegistryDetails,
  RegistryLoginDetails,
  RegistryRuleDetails,
} from '../../src-shared/ipc/contract.ts';
import { credentialPlaces } from '../engine/config/auth-file.ts';
import { helperGet } from '../engine/config/cred-helper.ts';
import { loadPolicy, requirementsForRegistry, type Requirement } from '../engine/config/policy.ts';
import { loadRegistriesConf, type RegistryRule } from '../engine/config/registries-conf.ts';
import { findRegistry } from '../engine/config/registry-match.ts';
import type { Credentials } from '../engine/registry/auth.ts';
import type { HostContext } from './handlers.ts';

const ruleDetails = (r: RegistryRule): RegistryRuleDetails => ({
  file: r.file,
  prefix: r.prefix,
  location: r.location,
  insecure: r.insecure,
  blocked: r.blocked,
  mirrorByDigestOnly: r.mirrorByDigestOnly,
  mirrors: r.mirrors.map((m) => ({ location: m.location, insecure: m.insecure, pullFromMirror: m.pullFromMirror })),
});

const NO_LOGIN: RegistryLoginDetails = { storedIn: null, username: null, identityToken: false, file: null, helper: null, problem: null };

/** The user of some credentials (never the secret). */
const who = (c: Credentials): Pick<RegistryLoginDetails, 'username' | 'identityToken'> =>
  'username' in c ? { username: c.username, identityToken: false } : { username: null, identityToken: true };

const problemOf = (e: unknown) => (e instanceof Error ? e.message : String(e));

/** The login pulls and pushes would use for the host, found in the order they look (app keychain, then each auth file). */
async function loginDetails(ctx: HostContext, host: string): Promise<RegistryLoginDetails> {
  try {
    const saved = await ctx.logins.savedLogin(host);
    if (saved) return { ...NO_LOGIN, storedIn: 'keychain', username: saved.username, file: saved.file };
  } catch (e) {
    return { ...NO_LOGIN, storedIn: 'keychain', problem: problemOf(e) };
  }
  const viaHelper = async (helper: string, configuredIn: string): Promise<RegistryLoginDetails | undefined> => {
    try {
      const creds = await helperGet(helper, host, { env: ctx.env, configuredIn });
      return creds ? { ...NO_LOGIN, storedIn: 'credential-helper', helper, file: configuredIn, ...who(creds) } : undefined;
    } catch (e) {
      return { ...NO_LOGIN, storedIn: 'credential-helper', helper, file: configuredIn, problem: problemOf(e) };
    }
  };
  for await (const place of credentialPlaces(host, '', ctx.env)) {
    if (place.kind === 'entry') return { ...NO_LOGIN, storedIn: 'auth-file', file: place.file, ...who(place.credentials) };
    const found = await viaHelper(place.helper, place.configuredIn);
    if (found) return found;
  }
  return NO_LOGIN;
}

function keyPathsOf(r: Requirement): string[] {
  if (r.type !== 'sigstoreSigned' && r.type !== 'signedBy') return [];
  return [...(r.keyPath ? [r.keyPath] : []), ...(r.keyPaths ?? [])];
}

/** One requirement in words: "sigstoreSigned with /etc/pki/team.pub". */
export function describeRequirement(r: Requirement): PolicyRequirementDetails {
  const keyPaths = keyPathsOf(r);
  const keys = () => {
    const parts = [...keyPaths];
    if (r.type === 'sigstoreSigned' || r.type === 'signedBy') {
      if (r.keyData) parts.push('a key given inline (keyData)');
      if (r.type === 'sigstoreSigned' && r.keyDatas) parts.push(`${r.keyDatas.length} keys given inline (keyDatas)`);
    }
    return parts.join(', ');
  };
  switch (r.type) {
    case 'insecureAcceptAnything':
      return { type: r.type, keyPaths, text: 'insecureAcceptAnything: images are accepted without signatures' };
    case 'reject':
      return { type: r.type, keyPaths, text: 'reject: every image is refused' };
    case 'sigstoreSigned': {
      const how = keys() || (r.fulcio ? 'Fulcio certificates' : r.pki ? 'PKI certificates' : 'no key');
      const identity = r.signedIdentity ? `; identity ${r.signedIdentity.type}` : '';
      const refused = keyPaths.length === 0 && !r.keyData && !r.keyDatas ? ' (Deckhand cannot verify these and refuses the image)' : '';
      return { type: r.type, keyPaths, text: `sigstoreSigned with ${how}${identity}${refused}` };
    }
    case 'signedBy':
      return {
        type: r.type,
        keyPaths,
        text: `signedBy (${r.keyType}) with ${keys() || 'no key'}: Deckhand cannot verify GPG signatures and refuses the image`,
      };
    case 'signedBaseLayer':
      return {
        type: r.type,
        keyPaths,
        text: `signedBaseLayer (${r.baseLayerIdentity.type}): Deckhand cannot check this and refuses the image`,
      };
  }
}

export function registryDetailsHandlers(ctx: HostContext): Pick<Handlers, 'registryDetails'> {
  return {
    registryDetails: async ({ host: asked }): Promise<RegistryDetails> => {
      const host = asked.toLowerCase();
      const [conf, login, policy] = await Promise.all([loadRegistriesConf(ctx.env), loginDetails(ctx, host), loadPolicy({ env: ctx.env })]);
      const rule = findRegistry(conf, host);
      const scoped = policy ? requirementsForRegistry(policy, host) : undefined;
      return {
        host,
        registriesConf: {
          files: conf.files,
          rule: rule ? ruleDetails(rule) : null,
          narrower: conf.registries.filter((r) => r.prefix.startsWith(`${host}/`)).map(ruleDetails),
          searchRegistries: conf.searchRegistries,
          shortNameMode: conf.shortNameMode,
        },
        login,
        policy:
          policy && scoped
            ? { file: policy.source, scope: scoped.scope, requirements: scoped.requirements.map(describeRequirement) }
            : null,
      };
    },
  };
}
