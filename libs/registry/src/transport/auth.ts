/**
 * Authorization for one registry host (REFERENCE §2). Start anonymous; a `401` carries the
 * challenge that says how to authenticate:
 * - `Basic`: send the credentials on every later request;
 * - `Bearer`: get a token from the realm for the request's scope, cache it per scope until it
 *   expires, and send `Bearer <token>`. Once the registry is known to want Bearer, tokens are
 *   fetched before the request instead of after a 401, saving a round trip per request.
 * Concurrent requests needing the same scope share one token request.
 */
import type { Clock } from '@imagefleet/process';
import { parseChallenge } from './challenge.js';
import type { CredentialLookup } from './credentials.js';
import { fetchToken, type Token, type TokenRequest } from './token.js';

type Mode = { kind: 'anonymous' } | { kind: 'basic' } | { kind: 'bearer'; realm: string; service?: string };

interface CachedToken {
  promise: Promise<Token>;
  /** Set once the token arrived. */
  token?: Token;
}

export interface AuthenticatorOptions {
  host: string;
  /** Looked up at most once, and only when the registry asks for credentials. */
  lookupCredentials: () => Promise<CredentialLookup>;
  timeoutMs: number;
  /** The registry host's TLS trust, used for its token server too. */
  tls?: TokenRequest['tls'];
  /** What token expiry and the token request's timeout go by. */
  clock: Clock;
}

export class Authenticator {
  private mode: Mode = { kind: 'anonymous' };
  private readonly tokens = new Map<string, CachedToken>();
  private lookup: Promise<CredentialLookup> | undefined;

  constructor(private readonly opts: AuthenticatorOptions) {}

  credentials(): Promise<CredentialLookup> {
    this.lookup ??= this.opts.lookupCredentials();
    return this.lookup;
  }

  /** How the registry wants to be addressed, as learnt so far. */
  get scheme(): Mode['kind'] {
    return this.mode.kind;
  }

  /** The realm of the Bearer challenge, for messages. */
  get realm(): string | undefined {
    return this.mode.kind === 'bearer' ? this.mode.realm : undefined;
  }

  /** The `Authorization` value for a request needing `scope` (undefined: `GET /v2/`). */
  async authorization(scope: string | undefined): Promise<string | undefined> {
    switch (this.mode.kind) {
      case 'anonymous':
        return undefined;
      case 'basic': {
        const c = (await this.credentials()).credentials;
        return c ? `Basic ${Buffer.from(`${c.username}:${c.password}`).toString('base64')}` : undefined;
      }
      case 'bearer':
        return `Bearer ${(await this.token(scope ? [scope] : [], scope ?? '')).token}`;
    }
  }

  /**
   * Learn from a `401`. @returns whether retrying with a fresh `authorization()` can help.
   * @throws TokenFetchError when the token server refuses
   */
  async challenged(header: string | null, scope: string | undefined, sent: string | undefined): Promise<boolean> {
    const challenge = parseChallenge(header);
    if (!challenge || challenge.scheme === 'other') return false;
    if (challenge.scheme === 'basic') {
      if (sent?.startsWith('Basic ')) return false; // the credentials themselves were refused
      if (!(await this.credentials()).credentials) return false;
      this.mode = { kind: 'basic' };
      return true;
    }
    const wasBearer = this.mode.kind === 'bearer';
    this.mode = {
      kind: 'bearer',
      realm: challenge.realm,
      ...(challenge.service !== undefined && { service: challenge.service }),
    };
    const key = scope ?? '';
    const cached = this.tokens.get(key);
    if (cached && !cached.token) return true; // a token for this scope is already on its way
    if (wasBearer && cached?.token && sent !== `Bearer ${cached.token.token}`) return true; // replaced meanwhile
    if (cached) this.tokens.delete(key);
    // New scopes from the challenge go first: some registries read only the first (go-containerregistry bearer.go).
    const scopes = [...new Set([...challenge.scopes, ...(scope ? [scope] : [])])];
    await this.token(scopes, key);
    return true;
  }

  private token(scopes: string[], key: string): Promise<Token> {
    const cached = this.tokens.get(key);
    if (cached && (!cached.token || cached.token.expiresAt > this.opts.clock.now())) return cached.promise;
    if (this.mode.kind !== 'bearer') throw new Error('token requested before any Bearer challenge');
    const { realm, service } = this.mode;
    const entry: CachedToken = {
      promise: this.credentials().then(({ credentials }) =>
        fetchToken({
          realm,
          ...(service !== undefined && { service }),
          scopes,
          credentials,
          timeoutMs: this.opts.timeoutMs,
          ...(this.opts.tls && { tls: this.opts.tls }),
          clock: this.opts.clock,
        }),
      ),
    };
    entry.promise.then(
      (token) => (entry.token = token),
      () => this.tokens.get(key) === entry && this.tokens.delete(key),
    );
    this.tokens.set(key, entry);
    return entry.promise;
  }

  /** Why the registry refused us, naming the credentials' source but never the secret. */
  async explainRefusal(): Promise<string> {
    const { credentials, searched } = await this.credentials();
    const host = this.opts.host;
    const via = this.mode.kind === 'bearer' ? ` (token realm ${this.mode.realm})` : '';
    if (!credentials) {
      return `no credentials for ${host}${via}; looked at: ${searched.join('; ')}. Run \`docker login ${host}\` or set IMAGEFLEET_REGISTRY_USER and IMAGEFLEET_REGISTRY_PASSWORD`;
    }
    const who = this.mode.kind === 'bearer' ? `the token server ${this.mode.realm} for ${host}` : host;
    return `${who} refused the credentials of user "${credentials.username}" from ${credentials.source}; check the password and the user's access, or run \`docker login ${host}\` again`;
  }
}
