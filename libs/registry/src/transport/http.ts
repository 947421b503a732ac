/**
 * One request to a registry: authorization (auth.ts), redirects, retries (retry.ts) and
 * timeouts, in one place (send.ts makes the exchange and follows redirects by hand, so that
 * `Authorization` never goes to another host: dist-spec "API").
 * Answers of every status are returned; only "no answer" and refused tokens throw.
 */
import type https from 'node:https';
import type { Clock } from '@imagefleet/process';
import { errorFromNetwork, errorFromResponse, RegistryError } from '../errors.js';
import type { Authenticator } from './auth.js';
import { scopeFor } from './challenge.js';
import { withRetry, type RetryPolicy } from './retry.js';
import { originOf, type Scheme } from './scheme.js';
import type { HostCircuit } from './circuit.js';
import { NoAnswerError, sendFollowingRedirects } from './send.js';
import { TokenFetchError } from './token.js';

export interface TransportRequest {
  method: 'GET' | 'HEAD' | 'PUT' | 'POST' | 'PATCH' | 'DELETE';
  /** A path (`/v2/…`) on the registry, or an absolute URL (from a `Location`). */
  url: string;
  /** Repository the request is about: decides the token scope. */
  repository?: string;
  /** A token scope that is not a repository's, e.g. `registry:catalog:*`. */
  scope?: string;
  headers?: Record<string, string>;
  body?: Uint8Array;
  /** For error messages, e.g. `GET manifest v1`. */
  operation: string;
}

export interface TransportOptions {
  host: string;
  scheme: Scheme;
  auth: Authenticator;
  retry: RetryPolicy;
  /** Per attempt, including reading the body. */
  timeoutMs: number;
  /** For the TCP connection. @default 5000 */
  connectTimeoutMs?: number;
  /** From the request sent to the response headers. @default 10000 */
  headersTimeoutMs?: number;
  /** This run's dead hosts: a host that did not answer fails at once afterwards. */
  circuit?: HostCircuit;
  userAgent: string;
  /** This host's own CA (`caFile`) and the agent that trusts it; absent: the system CAs. */
  tls?: HostTls;
  /** What backoff and timeouts go by. */
  clock: Clock;
}

/** TLS trust for one host: the CA file it names, and what reading it gave. */
export type HostTls =
  | { caFile: string; agent: https.Agent; ca: string[] }
  /** The CA file could not be read: every HTTPS request fails with this reason. */
  | { caFile: string; problem: string };

const MAX_REDIRECTS = 5;
/** One retry after a challenge: enough to learn the scheme or replace a stale token, and no loops. */
const MAX_AUTH_ROUNDS = 1;

export class Transport {
  readonly origin: string;

  constructor(readonly opts: TransportOptions) {
    this.origin = originOf(opts.host, opts.scheme);
  }

  /** @throws RegistryError when no answer came, or the token server refused */
  async request(req: TransportRequest): Promise<Response> {
    const ctx = {
      host: this.opts.host,
      ...(req.repository !== undefined && { repository: req.repository }),
      operation: req.operation,
    };
    this.opts.circuit?.check(this.opts.host, ctx);
    const tls = this.opts.tls;
    if (tls && 'problem' in tls && this.opts.scheme === 'https') {
      throw new RegistryError({ ...ctx, reason: tls.problem, code: 'CA_FILE' });
    }
    try {
      return await withRetry(req.method, this.opts.retry, () => this.authorised(req), this.opts.clock);
    } catch (err) {
      if (err instanceof TokenFetchError) {
        const refused = err.status === 401 || err.status === 403;
        throw new RegistryError({
          ...ctx,
          reason: `token request ${err.message}${refused ? `: ${await this.opts.auth.explainRefusal()}` : ` (realm ${this.opts.auth.realm ?? 'unknown'})`}`,
          status: refused ? 401 : err.status,
          code: refused ? 'UNAUTHORIZED' : 'TOKEN_FAILED',
          retryable: err.status >= 500,
        });
      }
      const error = errorFromNetwork(err, ctx, this.opts.scheme, tls ? { caFile: tls.caFile } : {});
      // Only the registry itself not answering marks it dead; a slow redirect target does not.
      if (err instanceof NoAnswerError && err.host === new URL(this.origin).host)
        this.opts.circuit?.trip(this.opts.host, error);
      throw error;
    }
  }

  /** The error for an answer that is not the one wanted; explains 401/403 without secrets. */
  async errorFor(res: Response, req: Pick<TransportRequest, 'operation' | 'repository'>): Promise<RegistryError> {
    const ctx = {
      host: this.opts.host,
      ...(req.repository !== undefined && { repository: req.repository }),
      operation: req.operation,
    };
    const hint =
      res.status === 401
        ? await this.opts.auth.explainRefusal()
        : res.status === 403
          ? `the credentials in use may not ${req.operation.split(' ')[0] === 'GET' || req.operation.startsWith('HEAD') ? 'pull from' : 'push to'} this repository`
          : undefined;
    return errorFromResponse(res, ctx, hint);
  }

  private async authorised(req: TransportRequest): Promise<Response> {
    const scope = req.scope ?? scopeFor(req.repository, req.method);
    for (let round = 0; ; round++) {
      const authorization = await this.opts.auth.authorization(scope);
      const res = await this.follow(req, authorization);
      if (res.status !== 401 || round >= MAX_AUTH_ROUNDS) return res;
      const again = await this.opts.auth.challenged(res.headers.get('www-authenticate'), scope, authorization);
      if (!again) return res;
      await res.body?.cancel().catch(() => undefined);
    }
  }

  private follow(req: TransportRequest, authorization: string | undefined): Promise<Response> {
    return sendFollowingRedirects(
      new URL(req.url, this.origin),
      {
        method: req.method,
        headers: { 'user-agent': this.opts.userAgent, ...req.headers },
        ...(req.body !== undefined && { body: req.body }),
        timeoutMs: this.opts.timeoutMs,
        ...(this.opts.connectTimeoutMs !== undefined && { connectTimeoutMs: this.opts.connectTimeoutMs }),
        ...(this.opts.headersTimeoutMs !== undefined && { headersTimeoutMs: this.opts.headersTimeoutMs }),
        ...(this.opts.tls && 'agent' in this.opts.tls && { tls: this.opts.tls }),
        clock: this.opts.clock,
      },
      { authorization, authorizedOrigin: this.origin, maxRedirects: MAX_REDIRECTS },
    );
  }
}
