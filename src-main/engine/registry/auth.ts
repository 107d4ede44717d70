/**
 * Registry authentication: learns the challenge from a 401, answers Basic challenges with the
 * user's credentials and Bearer challenges with tokens from the realm (docker token auth spec and
 * its OAuth2 refresh-token variant), cached per scope until shortly before they expire.
 * https://distribution.github.io/distribution/spec/auth/token/
 * https://distribution.github.io/distribution/spec/auth/oauth/
 */
import { DeckhandError } from '../../../src-shared/errors.ts';
import { parseChallenges, type Challenge } from './challenge.ts';
import { isLoopbackRegistryHost } from './endpoint.ts';
import { isPrivateHost } from './location.ts';
import type { HttpTransport } from './http.ts';

export type Credentials = { username: string; password: string } | { identityToken: string };

interface CachedToken {
  value: string;
  expiresAt: number;
}

interface TokenEntry {
  token: Promise<CachedToken>;
  /** The Authorization value a registry refused, so the next caller fetches anew. */
  rejected?: string;
}

const MIN_TOKEN_LIFETIME_S = 60;

export class RegistryAuth {
  private challenge: Challenge | undefined;
  private readonly tokens = new Map<string, TokenEntry>();
  private readonly registry: string;
  private readonly credentials: Credentials | undefined;
  private readonly http: HttpTransport;

  constructor(registry: string, http: HttpTransport, credentials?: Credentials) {
    this.registry = registry;
    this.http = http;
    this.credentials = credentials;
  }

  get hasCredentials(): boolean {
    return this.credentials !== undefined;
  }

  /**
   * Records the challenge of a 401 response to a request sent with `used` (its Authorization value,
   * if any). Returns whether a retry can bring anything new: a first challenge, or a fresh token in
   * place of the one refused. Concurrent requests refused with the same token all retry with the
   * one fresh token fetched for them.
   */
  learn(wwwAuthenticate: string | undefined, scope: string, used?: string): boolean {
    const challenges = parseChallenges(wwwAuthenticate);
    const next = challenges.find((c) => c.scheme === 'bearer') ?? challenges.find((c) => c.scheme === 'basic');
    if (!next) return false;
    this.challenge = next;
    if (used === undefined) return true;
    if (next.scheme !== 'bearer') return false;
    const key = this.cacheKey(scope);
    const cached = this.tokens.get(key);
    // The next `header` call for this scope fetches a fresh token instead of the refused one.
    if (cached) cached.rejected = used;
    return true;
  }

  private cacheKey(scope: string): string {
    return `${this.challenge?.params.realm ?? ''} ${this.challenge?.params.service ?? ''} ${scope}`;
  }

  /** The Authorization header value for a request needing `scope`, if any is known. */
  async header(scope: string, signal?: AbortSignal): Promise<string | undefined> {
    const ch = this.challenge;
    if (!ch) return undefined;
    if (ch.scheme === 'basic') {
      const c = this.credentials;
      if (!c || !('username' in c)) return undefined;
      return `Basic ${Buffer.from(`${c.username}:${c.password}`).toString('base64')}`;
    }
    if (ch.scheme !== 'bearer') return undefined;
    const key = this.cacheKey(scope);
    let entry = this.tokens.get(key);
    if (entry) {
      const token = await entry.token.catch(() => undefined);
      if (token && token.expiresAt > Date.now() && entry.rejected !== `Bearer ${token.value}`) return `Bearer ${token.value}`;
      if (this.tokens.get(key) === entry) this.tokens.delete(key);
      entry = this.tokens.get(key);
    }
    if (!entry) {
      // One fetch per scope at a time: concurrent requests share it.
      entry = { token: this.fetchToken(ch, scope, signal) };
      this.tokens.set(key, entry);
      entry.token.catch(() => {
        if (this.tokens.get(key) === entry) this.tokens.delete(key);
      });
    }
    return `Bearer ${(await entry.token).value}`;
  }

  private async fetchToken(ch: Challenge, scope: string, signal?: AbortSignal): Promise<CachedToken> {
    const realmText = ch.params.realm;
    let realm: URL;
    try {
      realm = new URL(realmText ?? '');
    } catch {
      throw new DeckhandError(
        'EUNAUTHORIZED',
        `${this.registry} asked for a token but gave no valid realm URL (${JSON.stringify(realmText)}). The registry's auth configuration is broken.`,
      );
    }
    const registryHost = this.registry.replace(/:\d+$/, '');
    if (isPrivateHost(realm.hostname) && !isPrivateHost(registryHost) && !isLoopbackRegistryHost(registryHost)) {
      // A public registry must not steer our credentials into the user's own network (or a cloud metadata service).
      throw new DeckhandError(
        'EUNAUTHORIZED',
        `${this.registry} sends token requests to ${realm.host}, a private or link-local address; Deckhand will not send credentials there.`,
        { detail: { realm: realm.origin } },
      );
    }
    if (realm.protocol !== 'https:' && !(realm.protocol === 'http:' && isLoopbackRegistryHost(realm.host))) {
      throw new DeckhandError(
        'EUNAUTHORIZED',
        `${this.registry} sends token requests to ${realm.origin}, which is neither HTTPS nor loopback; Deckhand will not send credentials there.`,
        { detail: { realm: realm.origin } },
      );
    }
    const c = this.credentials;
    const params = new URLSearchParams();
    if (ch.params.service) params.set('service', ch.params.service);
    let reply;
    if (c && 'identityToken' in c) {
      params.set('grant_type', 'refresh_token');
      params.set('refresh_token', c.identityToken);
      params.set('client_id', 'deckhand');
      if (scope) params.set('scope', scope);
      reply = await this.http.send(
        {
          method: 'POST',
          url: realm.href,
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: params.toString(),
          signal,
        },
        realm,
      );
    } else {
      for (const s of scope.split(' ').filter(Boolean)) params.append('scope', s);
      if (c) params.set('account', c.username);
      const url = new URL(realm);
      for (const [k, v] of params) url.searchParams.append(k, v);
      const basic = c ? `Basic ${Buffer.from(`${c.username}:${c.password}`).toString('base64')}` : undefined;
      reply = await this.http.send({ method: 'GET', url: url.href, signal }, realm, basic);
    }
    const text = await reply.body.text();
    if (reply.status === 401 || reply.status === 403) {
      throw new DeckhandError(
        'EUNAUTHORIZED',
        c
          ? `${this.registry} rejected the saved credentials (token server ${realm.host} answered ${reply.status}). Run \`deckhand login ${this.registry}\` again.`
          : `${this.registry} requires authentication. Run \`deckhand login ${this.registry}\` first.`,
        { detail: { registry: this.registry, status: reply.status } },
      );
    }
    if (reply.status !== 200) {
      throw new DeckhandError(
        'EREGISTRY',
        `The token server of ${this.registry} (${realm.host}) answered ${reply.status}; try again later.`,
        { detail: { status: reply.status } },
      );
    }
    let body: { token?: unknown; access_token?: unknown; expires_in?: unknown; issued_at?: unknown };
    try {
      body = JSON.parse(text) as typeof body;
    } catch {
      throw new DeckhandError('EREGISTRY', `The token server of ${this.registry} returned something that is not JSON.`);
    }
    const value = typeof body.access_token === 'string' && body.access_token ? body.access_token : body.token;
    if (typeof value !== 'string' || value === '') {
      throw new DeckhandError('EREGISTRY', `The token server of ${this.registry} returned no token.`);
    }
    const lifetime =
      typeof body.expires_in === 'number' && body.expires_in >= MIN_TOKEN_LIFETIME_S ? body.expires_in : MIN_TOKEN_LIFETIME_S;
    const issued =
      typeof body.issued_at === 'string' && !Number.isNaN(Date.parse(body.issued_at))
        ? Math.min(Date.parse(body.issued_at), Date.now())
        : Date.now();
    // Refresh a little before the server's expiry so an in-flight request never carries a stale token.
    return { value, expiresAt: issued + lifetime * 1000 - 10_000 };
  }
}
