/**
 * A fault-injecting HTTP proxy for tests, in front of a real registry: `docker push` (or any
 * registry client) talks to `127.0.0.1:<port>` (plain HTTP: dockerd allows it for 127.0.0.0/8),
 * requests and responses stream through to `opts.upstream`, and a rule function chosen by the
 * test decides per request whether to pass it, answer an error status, reset the connection,
 * stall, delay, or swallow a manifest PUT while answering `201 Created` (the "proxy that answered
 * 201 and stored nothing").
 *
 * It also watches push concurrency as a registry sees it (`stats.maxConcurrentPushes`,
 * `stats.pushIntervals`).
 *
 * How dockerd 20.10 reacts to each fault (measured on this machine with `docker push`, CLI not on
 * a TTY, so its output is one line per status change, no progress bars):
 * - `status` (500, JSON or plain body alike) or `reset` on uploads: dockerd retries the failing
 *   layer 4 times, waiting 5, 10, 15 and 20 s (printing `<layer>: Retrying in N seconds` once a
 *   second), then fails: `docker push` exits 1 after ≈ 50 s with `received unexpected HTTP
 *   status: 500 Internal Server Error` or `read tcp …: read: connection reset by peer`. Each
 *   retrying layer keeps one of dockerd's daemon-wide upload slots (default 5) for the whole time,
 *   so other pushes on the machine print `Waiting`.
 * - `status` or `reset` on the manifest PUT: no retry, `docker push` exits 1 at once.
 * - `status` 500 on the ping `GET /v2/`: ignored, the push succeeds.
 * - `stall` (on a blob HEAD, an upload POST/PATCH, or the manifest PUT): dockerd has no timeout of
 *   its own; the layer line stays at `Preparing` (or all layers show `Pushed` and then nothing, for
 *   the manifest) for as long as the socket is held (watched for 150 s). Killing the CLI does not
 *   end dockerd's side. When the socket closes (`stall` with `ms`, or `stop()`), that attempt
 *   fails and is retried as above: `stallFirst('upload', 1, 3000)` → `Retrying in 5 seconds`,
 *   pushed at ≈ 8.5 s; `stop()` 3 s into a stall → `connection refused` on every retry, exit 1 at
 *   ≈ 53 s.
 * - `fake-manifest-put`: `docker push` exits 0 and prints `<tag>: digest: sha256:… size: N`
 *   while the registry has no such tag.
 * - `throttle` (on uploads): a slow but healthy link; the request body reaches the registry at
 *   the given rate, TCP back-pressure slows the engine's writes, and its push progress moves at
 *   that rate (a 400 MB layer at 20 MB/s: ≈ 20 s of upload).
 */
import { createHash } from 'node:crypto';
import {
  Agent,
  createServer,
  request,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type OutgoingHttpHeaders,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { Transform } from 'node:stream';

export type RequestKind = 'ping' | 'manifest' | 'blob' | 'upload' | 'tags' | 'other';

export const REQUEST_KINDS: readonly RequestKind[] = ['ping', 'manifest', 'blob', 'upload', 'tags', 'other'];

/** What a rule sees of one request. */
export interface FaultRequest {
  method: string;
  /** Path and query, as the client sent it. */
  path: string;
  /** Repository name parsed from `/v2/<name>/(manifests|blobs|tags)/…` (may hold slashes); `null` for `/v2/` etc. */
  repository: string | null;
  kind: RequestKind;
  /** 1-based count of requests of this kind for this repository so far, this one included. */
  n: number;
}

export type Fault =
  | { type: 'pass' }
  /** Answer without forwarding. Default body: distribution's JSON error (`UNKNOWN`, or `UNAVAILABLE` for 503). */
  | { type: 'status'; status: number; body?: string; headers?: Record<string, string> }
  /** Destroy the client socket without answering (TCP RST). */
  | { type: 'reset' }
  /**
   * Read the request, never answer; the socket is held until the client gives up or `stop()`,
   * or, with `ms`, destroyed after `ms` (dockerd itself never gives up on a stalled request).
   */
  | { type: 'stall'; ms?: number }
  /** Manifest PUT only (else passes): read the body, don't forward it, answer 201 with its digest. */
  | { type: 'fake-manifest-put' }
  /** Wait, then pass. */
  | { type: 'delay'; ms: number }
  /** Pass, with the request body forwarded at no more than `bytesPerSecond` (the answer is not slowed). */
  | { type: 'throttle'; bytesPerSecond: number };

export type FaultType = Fault['type'];

/** `undefined` means pass. */
export type FaultRule = (req: FaultRequest) => Fault | undefined;

export interface PushInterval {
  repository: string;
  /** `Date.now()` of the first upload / blob HEAD / manifest PUT. */
  start: number;
  /** `Date.now()` when the tag's manifest PUT was answered, or idle end; `null` while pushing. */
  end: number | null;
  endReason: 'manifest-put' | 'idle' | 'stopped' | null;
}

export interface ProxyLogEntry {
  /** `Date.now()` when the request arrived. */
  at: number;
  method: string;
  path: string;
  kind: RequestKind;
  repository: string | null;
  n: number;
  fault: FaultType;
  /** Status sent to the client; `null` for reset/stall or when the client went away first. */
  status: number | null;
  /** `Date.now()` when the exchange ended (answered, reset, or socket closed). */
  endedAt: number | null;
  userAgent: string;
}

export interface FaultProxyStats {
  /** Requests received, per kind. */
  requests: Record<RequestKind, number>;
  /** Faults injected, per type (`pass` counts requests passed unchanged; a `delay` counts as `delay`, a `throttle` as `throttle`). */
  faults: Record<FaultType, number>;
  /** Every request, in arrival order. */
  log: ProxyLogEntry[];
  /** Most repositories "pushing" at once (see `pushIntervals`). */
  maxConcurrentPushes: number;
  /**
   * One entry per push seen: a repository starts pushing at its first upload, blob HEAD or
   * manifest PUT, and stops when a manifest PUT by tag is answered (any status; PUTs by digest
   * are index children and do not end it), or `pushIdleMs` after its last request ended with
   * none outstanding — whichever comes first.
   */
  pushIntervals: PushInterval[];
  /** Repositories pushing right now. */
  inFlight(): string[];
}

export interface FaultProxyOptions {
  /** The real registry: `http://127.0.0.1:5000` or `127.0.0.1:5000`. */
  upstream: string;
  /** Initial rules (default: pass everything). */
  rules?: FaultRule | FaultRule[];
  /** A push with no request outstanding ends this long after its last request. @default 3000 */
  pushIdleMs?: number;
  /**
   * Whose requests count as pushing, by User-Agent: the pusher's (dockerd sends `docker/…`), not
   * a verifier's HEADs after the push. @default /^docker\//
   */
  pusherAgent?: RegExp;
}

export interface RunningFaultProxy {
  /** `127.0.0.1:<port>` */
  host: string;
  port: number;
  stats: FaultProxyStats;
  /** Replace the rules; with several, the first one returning a non-pass fault wins. */
  setRules(rules: FaultRule | FaultRule[]): void;
  /** Close the server and destroy every socket (held and stalled ones too), within ~2 s. */
  stop(): Promise<void>;
}

// ---------------------------------------------------------------------------------------------
// Classification

const REPO_PATH = /^\/v2\/(.+?)\/(manifests|blobs|tags)\/(.*)$/;

export function classify(
  method: string,
  rawPath: string,
): { repository: string | null; kind: RequestKind; reference: string | null } {
  const path = rawPath.split('?')[0] ?? rawPath;
  if (path === '/v2/' || path === '/v2') return { repository: null, kind: 'ping', reference: null };
  const m = REPO_PATH.exec(path);
  if (!m) return { repository: null, kind: 'other', reference: null };
  const repository = m[1]!;
  const section = m[2]!;
  const rest = m[3]!;
  if (section === 'blobs' && rest.startsWith('uploads/')) {
    const upload = method === 'POST' || method === 'PATCH' || method === 'PUT';
    return { repository, kind: upload ? 'upload' : 'other', reference: null };
  }
  if (section === 'manifests') return { repository, kind: 'manifest', reference: rest };
  if (section === 'blobs') return { repository, kind: 'blob', reference: rest };
  return { repository, kind: 'tags', reference: null };
}

// ---------------------------------------------------------------------------------------------
// Rule builders

export type RepoFilter = string | RegExp | ((repository: string) => boolean);

function matchRepo(filter: RepoFilter | undefined, repository: string | null): boolean {
  if (filter === undefined) return true;
  if (repository === null) return false;
  if (typeof filter === 'string') return repository === filter;
  if (filter instanceof RegExp) return filter.test(repository);
  return filter(repository);
}

/** Swallow every manifest PUT (of repositories matching `repoFilter`) and answer 201 with its digest. */
export function dropManifestPuts(repoFilter?: RepoFilter): FaultRule {
  return (req) =>
    req.kind === 'manifest' && req.method === 'PUT' && matchRepo(repoFilter, req.repository)
      ? { type: 'fake-manifest-put' }
      : undefined;
}

/** Answer every request of `kind` with `status` (and optionally `body`, see `Fault`). */
export function failAll(kind: RequestKind, status: number, body?: string): FaultRule {
  return (req) => (req.kind === kind ? { type: 'status', status, ...(body === undefined ? {} : { body }) } : undefined);
}

/** Reset the connection on every `k`-th request of `kind` (counted per repository). */
export function resetEvery(kind: RequestKind, k: number): FaultRule {
  if (!(k >= 1)) throw new Error(`resetEvery: k must be ≥ 1, got ${k}`);
  return (req) => (req.kind === kind && req.n % k === 0 ? { type: 'reset' } : undefined);
}

/** Reset the connection on the first `count` requests of `kind` (per repository), pass later ones: a transient fault. */
export function resetFirst(kind: RequestKind, count: number): FaultRule {
  return (req) => (req.kind === kind && req.n <= count ? { type: 'reset' } : undefined);
}

/**
 * Stall the first `count` requests of `kind` per repository; pass later ones. With `ms`, each
 * stalled socket is closed after `ms` (without it, dockerd waits on the first one forever).
 */
export function stallFirst(kind: RequestKind, count: number, ms?: number): FaultRule {
  return (req) =>
    req.kind === kind && req.n <= count ? { type: 'stall', ...(ms === undefined ? {} : { ms }) } : undefined;
}

/**
 * Pass every request of `kind`, its body forwarded at `bytesPerSecond` (a slow link): on
 * `upload`, a layer's bytes trickle to the registry and the engine's progress follows.
 */
export function throttle(kind: RequestKind, bytesPerSecond: number): FaultRule {
  if (!(bytesPerSecond > 0)) throw new Error(`throttle: bytesPerSecond must be > 0, got ${bytesPerSecond}`);
  return (req) => (req.kind === kind ? { type: 'throttle', bytesPerSecond } : undefined);
}

/**
 * A stream that lets bytes through at `bytesPerSecond`, in slices of 1/20 s, from its first
 * byte on (time before the body starts does not count as credit).
 */
export function throttleStream(bytesPerSecond: number): Transform {
  const slice = Math.max(1, Math.floor(bytesPerSecond / 20));
  let start = 0;
  let sent = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      if (start === 0) start = Date.now();
      const next = (offset: number): void => {
        if (this.destroyed) return done();
        if (offset >= chunk.length) return done();
        const wait = start + (sent / bytesPerSecond) * 1000 - Date.now();
        const send = () => {
          if (this.destroyed) return done();
          const piece = chunk.subarray(offset, offset + slice);
          sent += piece.length;
          this.push(piece);
          next(offset + piece.length);
        };
        if (wait > 0) setTimeout(send, wait);
        else send();
      };
      next(0);
    },
  });
}

/** Delay every request of `kind` (optionally only `method`) by `ms`, then pass. */
export function delayAll(kind: RequestKind, ms: number, method?: string): FaultRule {
  return (req) =>
    req.kind === kind && (method === undefined || req.method === method) ? { type: 'delay', ms } : undefined;
}

// ---------------------------------------------------------------------------------------------
// The proxy

const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'upgrade',
]);

function forwardHeaders(headers: IncomingHttpHeaders): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined && !HOP_BY_HOP.has(name)) out[name] = value;
  }
  return out;
}

function errorBody(status: number): string {
  const code =
    status === 503 ? 'UNAVAILABLE' : status === 429 ? 'TOOMANYREQUESTS' : status === 404 ? 'NAME_UNKNOWN' : 'UNKNOWN';
  return JSON.stringify({ errors: [{ code, message: `fault-proxy: injected ${status}`, detail: null }] });
}

function zeroCounts<K extends string>(keys: readonly K[]): Record<K, number> {
  return Object.fromEntries(keys.map((k) => [k, 0])) as Record<K, number>;
}

const DIGEST_REF = /^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/;

export async function startFaultProxy(opts: FaultProxyOptions): Promise<RunningFaultProxy> {
  const upstreamUrl = new URL(/^https?:\/\//.test(opts.upstream) ? opts.upstream : `http://${opts.upstream}`);
  if (upstreamUrl.protocol !== 'http:') throw new Error(`fault-proxy: only http upstreams, got ${opts.upstream}`);
  const upstreamHost = upstreamUrl.host;
  const upstreamPort = Number(upstreamUrl.port || 80);
  const pushIdleMs = opts.pushIdleMs ?? 3000;
  let rules: FaultRule[] = opts.rules === undefined ? [] : Array.isArray(opts.rules) ? [...opts.rules] : [opts.rules];
  let proxyOrigin = '';
  let stopping = false;

  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  const counters = new Map<string, number>();
  const sockets = new Set<Socket>();

  // --- push concurrency -----------------------------------------------------------------------
  interface PushState {
    interval: PushInterval;
    outstanding: number;
    idleTimer: NodeJS.Timeout | null;
  }
  const pushing = new Map<string, PushState>();
  const stats: FaultProxyStats = {
    requests: zeroCounts(REQUEST_KINDS),
    faults: zeroCounts<FaultType>(['pass', 'status', 'reset', 'stall', 'fake-manifest-put', 'delay', 'throttle']),
    log: [],
    maxConcurrentPushes: 0,
    pushIntervals: [],
    inFlight: () => [...pushing.keys()],
  };
  const endPush = (repository: string, reason: NonNullable<PushInterval['endReason']>, at = Date.now()) => {
    const state = pushing.get(repository);
    if (!state) return;
    if (state.idleTimer) clearTimeout(state.idleTimer);
    state.interval.end = at;
    state.interval.endReason = reason;
    pushing.delete(repository);
  };
  const armIdle = (repository: string, state: PushState) => {
    if (state.idleTimer) clearTimeout(state.idleTimer);
    state.idleTimer = null;
    if (state.outstanding > 0) return;
    state.idleTimer = setTimeout(() => endPush(repository, 'idle'), pushIdleMs);
    state.idleTimer.unref();
  };
  /** Called when a request arrives; returns a callback for when its exchange ends (`answered`: a status was sent). */
  const trackPush = (
    method: string,
    kind: RequestKind,
    repository: string | null,
    reference: string | null,
  ): ((answered: boolean) => void) => {
    if (repository === null) return () => {};
    const startsPush =
      kind === 'upload' || (kind === 'blob' && method === 'HEAD') || (kind === 'manifest' && method === 'PUT');
    let state = pushing.get(repository);
    if (!state && startsPush) {
      const interval: PushInterval = { repository, start: Date.now(), end: null, endReason: null };
      stats.pushIntervals.push(interval);
      state = { interval, outstanding: 0, idleTimer: null };
      pushing.set(repository, state);
      stats.maxConcurrentPushes = Math.max(stats.maxConcurrentPushes, pushing.size);
    }
    if (!state) return () => {};
    const own = state;
    own.outstanding++;
    if (own.idleTimer) clearTimeout(own.idleTimer);
    own.idleTimer = null;
    const endsPush = kind === 'manifest' && method === 'PUT' && reference !== null && !DIGEST_REF.test(reference);
    let done = false;
    return (answered) => {
      if (done) return;
      done = true;
      own.outstanding--;
      if (pushing.get(repository) !== own) return;
      if (endsPush && answered) endPush(repository, 'manifest-put');
      else armIdle(repository, own);
    };
  };

  // --- request handling -----------------------------------------------------------------------
  const chooseFault = (req: FaultRequest): Fault => {
    for (const rule of rules) {
      const fault = rule(req);
      if (fault && fault.type !== 'pass') return fault;
    }
    return { type: 'pass' };
  };

  const rewriteLocation = (location: string): string => {
    try {
      const url = new URL(location);
      if (url.host === upstreamHost && url.protocol === 'http:')
        return `${proxyOrigin}${url.pathname}${url.search}${url.hash}`;
    } catch {
      // relative: unchanged
    }
    return location;
  };

  const forward = (req: IncomingMessage, res: ServerResponse, path: string, entry: ProxyLogEntry, body?: Transform) => {
    const headers = forwardHeaders(req.headers);
    headers.host = upstreamHost;
    const up = request(
      { host: upstreamUrl.hostname, port: upstreamPort, method: req.method, path, headers, agent },
      (upRes) => {
        const out = forwardHeaders(upRes.headers);
        if (typeof out.location === 'string') out.location = rewriteLocation(out.location);
        entry.status = upRes.statusCode ?? 502;
        res.writeHead(entry.status, out);
        upRes.pipe(res);
        upRes.on('error', () => res.destroy());
      },
    );
    up.on('error', (err) => {
      if (!res.headersSent) {
        entry.status = 502;
        res.writeHead(502, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({ errors: [{ code: 'UNAVAILABLE', message: `fault-proxy: upstream: ${err.message}` }] }),
        );
      } else {
        res.destroy();
      }
    });
    // The client went away before the answer was complete: drop the upstream exchange too.
    res.on('close', () => {
      if (!res.writableFinished) up.destroy();
      body?.destroy();
    });
    if (body) req.pipe(body).pipe(up);
    else req.pipe(up);
  };

  const server = createServer({ keepAlive: true, requestTimeout: 0 }, (req, res) => {
    const method = req.method ?? 'GET';
    const path = req.url ?? '/';
    const { repository, kind, reference } = classify(method, path);
    const key = `${kind}\u0000${repository ?? ''}`;
    const n = (counters.get(key) ?? 0) + 1;
    counters.set(key, n);
    stats.requests[kind]++;
    let fault = chooseFault({ method, path, repository, kind, n });
    if (fault.type === 'fake-manifest-put' && !(kind === 'manifest' && method === 'PUT')) fault = { type: 'pass' };
    stats.faults[fault.type]++;
    const userAgent = req.headers['user-agent'] ?? '';
    const entry: ProxyLogEntry = {
      at: Date.now(),
      method,
      path,
      kind,
      repository,
      n,
      fault: fault.type,
      status: null,
      endedAt: null,
      userAgent,
    };
    stats.log.push(entry);
    const ended = (opts.pusherAgent ?? /^docker\//).test(userAgent)
      ? trackPush(method, kind, repository, reference)
      : () => undefined;
    const finish = () => {
      if (entry.endedAt === null) entry.endedAt = Date.now();
      ended(entry.status !== null && res.writableFinished);
    };
    // Fires when the answer is complete, or when the socket closes first (reset, stall, client gone).
    res.once('close', finish);

    switch (fault.type) {
      case 'pass':
        return forward(req, res, path, entry);
      case 'throttle':
        return forward(req, res, path, entry, throttleStream(fault.bytesPerSecond));
      case 'delay': {
        const timer = setTimeout(() => forward(req, res, path, entry), fault.ms);
        res.once('close', () => clearTimeout(timer));
        return;
      }
      case 'status': {
        const body = fault.body ?? errorBody(fault.status);
        const json = fault.body === undefined;
        entry.status = fault.status;
        res.writeHead(fault.status, {
          'content-type': json ? 'application/json; charset=utf-8' : 'text/plain; charset=utf-8',
          'content-length': Buffer.byteLength(body),
          'docker-distribution-api-version': 'registry/2.0',
          ...fault.headers,
        });
        res.end(method === 'HEAD' ? undefined : body);
        req.resume();
        return;
      }
      case 'reset': {
        const socket = req.socket;
        if (typeof socket.resetAndDestroy === 'function') socket.resetAndDestroy();
        else socket.destroy();
        return;
      }
      case 'stall': {
        // Drain the body so the client finishes sending; then never answer.
        req.resume();
        if (fault.ms !== undefined) {
          const socket = req.socket;
          const timer = setTimeout(() => socket.destroy(), fault.ms);
          res.once('close', () => clearTimeout(timer));
        }
        return;
      }
      case 'fake-manifest-put': {
        const chunks: Buffer[] = [];
        req.on('data', (c: Buffer) => chunks.push(c));
        req.on('end', () => {
          const digest = `sha256:${createHash('sha256').update(Buffer.concat(chunks)).digest('hex')}`;
          entry.status = 201;
          res.writeHead(201, {
            'docker-content-digest': digest,
            location: `${proxyOrigin}/v2/${repository}/manifests/${digest}`,
            'content-length': 0,
            'docker-distribution-api-version': 'registry/2.0',
          });
          res.end();
        });
        return;
      }
    }
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  // dockerd first tries https on 127.0.0.1 (then falls back to http): answer garbage with 400.
  server.on('clientError', (_err, socket: Socket) => {
    if (socket.writable && !stopping)
      socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    else socket.destroy();
  });

  const port = await new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
  proxyOrigin = `http://127.0.0.1:${port}`;

  let stopped: Promise<void> | undefined;
  const stop = () =>
    (stopped ??= (async () => {
      stopping = true;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      for (const socket of sockets) socket.destroy();
      agent.destroy();
      for (const repository of [...pushing.keys()]) endPush(repository, 'stopped');
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([closed, new Promise<void>((resolve) => (timer = setTimeout(resolve, 2000)))]);
      clearTimeout(timer);
    })());

  return {
    host: `127.0.0.1:${port}`,
    port,
    stats,
    setRules: (next) => {
      rules = Array.isArray(next) ? [...next] : [next];
    },
    stop,
  };
}
