/**
 * The registry configuration of one operation, read once from the environment and passed in:
 * registries.conf (short names, rewrites, mirrors, blocked and insecure registries), the auth files
 * and credential helpers, certs.d (or `--cert-dir`) and policy.json. Transfers and listings get a
 * RegistryContext and read no ambient configuration themselves; the registry client gets its TLS
 * files and credentials from here.
 */
import type { ImageReference } from '../../../src-shared/oci/reference.ts';
import type { Credentials } from '../registry/auth.ts';
import { RegistryClient } from '../registry/client.ts';
import { findCredentials } from './auth-file.ts';
import { loadRegistryTls } from './certs-d.ts';
import { loadPolicy, type Policy } from './policy.ts';
import { planPull, type PullPlan } from './pull-plan.ts';
import { loadRegistriesConf, type RegistriesConf } from './registries-conf.ts';
import { pushTarget } from './registry-match.ts';

export interface RegistryContextOptions {
  env?: NodeJS.ProcessEnv | undefined;
  /** `--tls-verify`: given explicitly, it wins over registries.conf's `insecure`. */
  tlsVerify?: boolean | undefined;
  /** `--cert-dir`: CA and client certificates for every registry of the operation, instead of certs.d. */
  certDir?: string | undefined;
  /** `--signature-policy PATH`: instead of the user's or the system's policy.json. */
  signaturePolicy?: string | undefined;
  /** For tests: where the system policy lives (default /etc/containers/policy.json). */
  systemPolicyPath?: string;
}

export class RegistryContext {
  readonly env: NodeJS.ProcessEnv;
  readonly conf: RegistriesConf;
  private readonly opts: RegistryContextOptions;
  private policyRead: Promise<Policy | undefined> | undefined;

  private constructor(conf: RegistriesConf, opts: RegistryContextOptions) {
    this.conf = conf;
    this.opts = opts;
    this.env = opts.env ?? process.env;
  }

  static async load(opts: RegistryContextOptions = {}): Promise<RegistryContext> {
    return new RegistryContext(await loadRegistriesConf(opts.env ?? process.env), opts);
  }

  get tlsVerify(): boolean | undefined {
    return this.opts.tlsVerify;
  }

  /** registries.conf's candidates and sources for a pull of `input`. */
  planPull(input: string | ImageReference): PullPlan[] {
    return planPull(this.conf, input);
  }

  /** The stored login for `domain`/`path` (auth files, credential helpers). */
  credentials(domain: string, path: string): Promise<Credentials | undefined> {
    return findCredentials(domain, path, this.env);
  }

  /** policy.json (or --signature-policy), read once; undefined when there is none. */
  policy(): Promise<Policy | undefined> {
    this.policyRead ??= loadPolicy({
      path: this.opts.signaturePolicy,
      env: this.env,
      ...(this.opts.systemPolicyPath ? { systemPath: this.opts.systemPolicyPath } : {}),
    });
    return this.policyRead;
  }

  /**
   * A client for `domain`: its certs.d (or --cert-dir), TLS verification as --tls-verify says or
   * else as `insecure` (from registries.conf or the caller) says, and the given or stored credentials.
   */
  async client(
    domain: string,
    path: string,
    opts: { insecure?: boolean; credentials?: Credentials | undefined } = {},
  ): Promise<RegistryClient> {
    const credentials = opts.credentials ?? (await this.credentials(domain, path));
    const tlsVerify = this.opts.tlsVerify ?? (opts.insecure ? false : undefined);
    const certDir = this.opts.certDir;
    return new RegistryClient({
      domain,
      ...(credentials ? { credentials } : {}),
      ...(tlsVerify === undefined ? {} : { tlsVerify }),
      tlsFiles: () => loadRegistryTls(domain, { certDir, env: this.env }),
      certDir,
    });
  }

  /** A client to push to `ref`: blocked registries refuse, `insecure` applies, never a mirror. */
  pushClient(ref: ImageReference, credentials?: Credentials): Promise<RegistryClient> {
    return this.client(ref.domain, ref.path, { insecure: pushTarget(this.conf, ref).insecure, credentials });
  }
}
