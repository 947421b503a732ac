/**
 * A Bearer-token registry for tests, speaking the real protocol (distribution
 * docs/spec/auth/token.md, oauth.md) in front of a real registry:
 * - the token server (`realm`) checks Basic credentials on `GET /token?service=&scope=`
 *   (or the OAuth2 `POST` form) and answers `{token, access_token, expires_in, issued_at}`;
 * - the registry front answers `401` + `WWW-Authenticate: Bearer realm=…,service=…,scope=…`
 *   unless the request carries a live token granting the scope it needs, and otherwise
 *   forwards it, unchanged, to the upstream registry.
 * Tokens are opaque random strings here rather than signed JWTs: the client must treat them as
 * opaque anyway, and the front checks them itself.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import {
  createServer,
  request,
  type IncomingMessage,
  type RequestListener,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';

export interface TokenServerOptions {
  /** The real registry, `127.0.0.1:<port>`. */
  upstream: string;
  /** user → password. */
  users: Record<string, string>;
  /** OAuth2 refresh tokens (identity tokens) → user. */
  refreshTokens?: Record<string, string>;
  /** Lifetime of issued tokens in seconds. @default 60 */
  expiresIn?: number;
  /** Grant `pull` to requests without credentials. @default false */
  anonymousPull?: boolean;
  /** @default 'imagefleet-test-registry' */
  service?: string;
  /** Serve the front and the token server over HTTPS with this certificate (a private CA's). */
  tls?: { certFile: string; keyFile: string };
}

export interface TokenRequestLog {
  method: string;
  user: string | null;
  scopes: string[];
  service: string | null;
  status: number;
}

export interface RunningTokenServer {
  /** The registry front, `127.0.0.1:<port>`: point clients here. */
  host: string;
  /** `http(s)://127.0.0.1:<port>/token` */
  realm: string;
  service: string;
  /** Every token request, in order. */
  tokenRequests: TokenRequestLog[];
  /** `Authorization` headers the front received, in order (`undefined` when absent). */
  frontAuthorizations: (string | undefined)[];
  stop(): Promise<void>;
}

interface Grant {
  user: string | null;
  expiresAt: number;
  /** `type:name` (`repository:team/app`, `registry:catalog`) → actions */
  access: Map<string, Set<string>>;
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

/**
 * The resource (`type:name`) and action a registry request needs (distribution
 * registry/handlers/app.go): a repository's pull/push/delete, or `registry:catalog:*`.
 */
function needed(method: string, path: string): { resource: string; action: string } | undefined {
  if (/^\/v2\/_catalog(\?|$)/.test(path)) return { resource: 'registry:catalog', action: '*' };
  const m = path.match(/^\/v2\/(.+?)\/(manifests|blobs|tags)\//);
  if (!m) return undefined;
  const action = method === 'GET' || method === 'HEAD' ? 'pull' : method === 'DELETE' ? 'delete' : 'push';
  return { resource: `repository:${m[1]!}`, action };
}

export async function startTokenServer(opts: TokenServerOptions): Promise<RunningTokenServer> {
  const service = opts.service ?? 'imagefleet-test-registry';
  const expiresIn = opts.expiresIn ?? 60;
  const grants = new Map<string, Grant>();
  const tokenRequests: TokenRequestLog[] = [];
  const frontAuthorizations: (string | undefined)[] = [];

  const issue = (user: string | null, scopes: string[]): Record<string, unknown> => {
    const access = new Map<string, Set<string>>();
    for (const scope of scopes) {
      // type:name:actions — the name may hold a host:port, so take the type and the actions off the ends.
      const first = scope.indexOf(':');
      const last = scope.lastIndexOf(':');
      if (last <= first) continue;
      const wanted = scope.slice(last + 1).split(',');
      const allowed = wanted.filter((a) => user !== null || (opts.anonymousPull === true && a === 'pull'));
      access.set(scope.slice(0, last), new Set(allowed));
    }
    const token = randomBytes(24).toString('hex');
    grants.set(token, { user, expiresAt: Date.now() + expiresIn * 1000, access });
    return { token, access_token: token, expires_in: expiresIn, issued_at: new Date().toISOString() };
  };

  const tls = opts.tls && { cert: readFileSync(opts.tls.certFile), key: readFileSync(opts.tls.keyFile) };
  const serve = (handler: RequestListener): Server => (tls ? createHttpsServer(tls, handler) : createServer(handler));
  const tokenServer = serve(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://token');
    const log: TokenRequestLog = { method: req.method ?? 'GET', user: null, scopes: [], service: null, status: 200 };
    tokenRequests.push(log);
    let user: string | null = null;
    if (req.method === 'POST') {
      const form = new URLSearchParams(await readBody(req));
      log.scopes = (form.get('scope') ?? '').split(' ').filter(Boolean);
      log.service = form.get('service');
      const grant = form.get('grant_type');
      user =
        grant === 'refresh_token'
          ? (opts.refreshTokens?.[form.get('refresh_token') ?? ''] ?? null)
          : grant === 'password' && opts.users[form.get('username') ?? ''] === form.get('password')
            ? form.get('username')
            : null;
      if (user === null)
        return json(res, (log.status = 401), { errors: [{ code: 'UNAUTHORIZED', message: 'invalid grant' }] });
    } else {
      log.scopes = url.searchParams.getAll('scope');
      log.service = url.searchParams.get('service');
      const basic = req.headers.authorization?.match(/^Basic (.+)$/)?.[1];
      if (basic) {
        const decoded = Buffer.from(basic, 'base64').toString('utf8');
        const name = decoded.slice(0, decoded.indexOf(':'));
        if (opts.users[name] === undefined || opts.users[name] !== decoded.slice(decoded.indexOf(':') + 1)) {
          return json(res, (log.status = 401), {
            errors: [{ code: 'UNAUTHORIZED', message: 'authentication failed' }],
          });
        }
        user = name;
      }
    }
    log.user = user;
    json(res, 200, issue(user, log.scopes));
  });

  const realmPort = await listen(tokenServer);
  const realm = `${tls ? 'https' : 'http'}://127.0.0.1:${realmPort}/token`;

  const front = serve((req, res) => {
    const path = req.url ?? '/';
    frontAuthorizations.push(req.headers.authorization);
    const need = needed(req.method ?? 'GET', path);
    const token = req.headers.authorization?.match(/^Bearer (.+)$/)?.[1];
    const grant = token ? grants.get(token) : undefined;
    const live = grant !== undefined && grant.expiresAt > Date.now();
    const allowed =
      live &&
      (need === undefined
        ? path === '/v2/' || path === '/v2'
        : grant.access.get(need.resource)?.has(need.action) === true);
    if (!allowed) {
      const actions = need ? (need.action === 'push' ? 'pull,push' : need.action) : '';
      const scope = need ? `,scope="${need.resource}:${actions}"` : '';
      return json(
        res,
        401,
        { errors: [{ code: 'UNAUTHORIZED', message: 'authentication required', detail: null }] },
        {
          'www-authenticate': `Bearer realm="${realm}",service="${service}"${scope}`,
          'docker-distribution-api-version': 'registry/2.0',
        },
      );
    }
    const [upHost, upPort] = opts.upstream.split(':');
    const headers = { ...req.headers };
    delete headers.authorization;
    // distribution writes absolute `Location`s from Host and this header: the client must come back over HTTPS.
    if (tls) headers['x-forwarded-proto'] = 'https';
    const upstream = request({ host: upHost, port: Number(upPort), method: req.method, path, headers }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    upstream.on('error', (err) => json(res, 502, { errors: [{ code: 'UNAVAILABLE', message: err.message }] }));
    req.pipe(upstream);
  });
  const frontPort = await listen(front);

  const close = (server: Server) =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return {
    host: `127.0.0.1:${frontPort}`,
    realm,
    service,
    tokenRequests,
    frontAuthorizations,
    stop: async () => {
      await Promise.all([close(tokenServer), close(front)]);
    },
  };
}
