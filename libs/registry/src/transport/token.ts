/**
 * Getting a Bearer token from the realm a challenge names (distribution docs/spec/auth/token.md,
 * oauth.md). `GET realm?service=&scope=&scope=` with Basic credentials (anonymous without them);
 * with an identity token, the OAuth2 `POST` form, falling back to GET on 404 as the spec says.
 * Sent like every other registry request (send.ts), with the registry host's TLS trust: a token
 * server behind the same private CA as its registry is the usual set-up, and Docker does the same.
 */
import { systemClock, type Clock } from '@imagefleet/process';
import type { Credentials } from './credentials.js';
import { send, sendFollowingRedirects, type SendOptions } from './send.js';

export interface TokenRequest {
  realm: string;
  service?: string;
  scopes: string[];
  credentials: Credentials | null;
  timeoutMs: number;
  /** The registry host's CA (`caFile`) and agent; absent: the system CAs. */
  tls?: SendOptions['tls'];
  /** What the expiry and the request's timeout go by. @default systemClock */
  clock?: Clock;
}

export interface Token {
  token: string;
  /** Epoch ms after which the token should not be used any more. */
  expiresAt: number;
}

/** The token server's answer was not a token. `status` is its HTTP status. */
export class TokenFetchError extends Error {
  override readonly name = 'TokenFetchError';
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

interface TokenBody {
  token?: string;
  access_token?: string;
  expires_in?: number;
  issued_at?: string;
}

/** Default lifetime when `expires_in` is absent (token.md: 60 s). */
const DEFAULT_EXPIRES_IN = 60;

function basic(c: Credentials): string {
  return `Basic ${Buffer.from(`${c.username}:${c.password}`).toString('base64')}`;
}

async function getForm(req: TokenRequest): Promise<Response> {
  const url = new URL(req.realm);
  if (req.service !== undefined) url.searchParams.set('service', req.service);
  for (const scope of req.scopes) url.searchParams.append('scope', scope);
  const authorization = req.credentials && !req.credentials.identityToken ? basic(req.credentials) : undefined;
  // Redirects followed as fetch did, the credentials kept to the realm's own origin.
  return sendFollowingRedirects(
    url,
    {
      method: 'GET',
      headers: {},
      timeoutMs: req.timeoutMs,
      ...(req.tls && { tls: req.tls }),
      ...(req.clock && { clock: req.clock }),
    },
    { authorization, authorizedOrigin: url.origin, maxRedirects: 5 },
  );
}

async function postForm(req: TokenRequest, refreshToken: string): Promise<Response> {
  const body = new URLSearchParams({
    grant_type: 'refresh_token',
    refresh_token: refreshToken,
    client_id: 'imagefleet',
  });
  if (req.service !== undefined) body.set('service', req.service);
  if (req.scopes.length) body.set('scope', req.scopes.join(' '));
  return send(new URL(req.realm), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: Buffer.from(body.toString()),
    timeoutMs: req.timeoutMs,
    ...(req.tls && { tls: req.tls }),
    ...(req.clock && { clock: req.clock }),
  });
}

export async function fetchToken(req: TokenRequest): Promise<Token> {
  const clock = req.clock ?? systemClock;
  const identity = req.credentials?.identityToken;
  let res = identity ? await postForm(req, identity) : await getForm(req);
  if (identity && res.status === 404) {
    await res.body?.cancel();
    res = await getForm(req);
  }
  const text = await res.text();
  if (!res.ok) throw new TokenFetchError(res.status, `answered ${res.status} ${res.statusText}`.trim());
  let body: TokenBody;
  try {
    body = JSON.parse(text) as TokenBody;
  } catch {
    throw new TokenFetchError(res.status, 'answered with something that is not JSON');
  }
  const token = body.token ?? body.access_token;
  if (!token) throw new TokenFetchError(res.status, 'answered with neither "token" nor "access_token"');
  const lifetime =
    (typeof body.expires_in === 'number' && body.expires_in > 0 ? body.expires_in : DEFAULT_EXPIRES_IN) * 1000;
  const issued = body.issued_at ? Date.parse(body.issued_at) : Number.NaN;
  // Trust our clock over the server's when they disagree by much; keep a margin for the request in flight.
  const now = clock.now();
  const start = Number.isNaN(issued) || Math.abs(issued - now) > 60_000 ? now : issued;
  return { token, expiresAt: start + lifetime - Math.min(10_000, lifetime / 10) };
}
