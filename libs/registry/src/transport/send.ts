/**
 * One HTTP exchange with a registry, over node:http(s) and keep-alive agents, answered as a
 * WHATWG `Response` (what the rest of the client reads). Not `fetch`: Node's fetch spends
 * 1.2–2.3 ms of CPU per request on this machine, node:http 0.5 ms (600 blob HEADs against
 * distribution 2.8, 8 at a time: 704–1375 ms of CPU against 280–290 ms), and a truthful warm
 * run walks every manifest and blob of the fleet on cores that are also building.
 *
 * `send` follows no redirect; `sendFollowingRedirects` does, by hand. Bodies are read in full:
 * what the client reads is manifests, error documents and tag lists, all small.
 */
import http from 'node:http';
import https from 'node:https';
import { systemClock, type Clock } from '@imagefleet/process';
import { lookupHost } from './resolve.js';

export interface SendOptions {
  method: string;
  headers: Record<string, string>;
  body?: Uint8Array;
  /** For the whole exchange, body included. */
  timeoutMs: number;
  /** For the TCP connection to be set up. @default 5000 */
  connectTimeoutMs?: number;
  /** From the request being sent (connected, body written) to the response headers. @default 10000 */
  headersTimeoutMs?: number;
  /**
   * TLS trust for this client's HTTPS requests: its keep-alive agent and the CAs (system CAs plus
   * the host's own). Absent: the shared agent and the system CAs.
   */
  tls?: { agent: https.Agent; ca: string[] };
  /** What the timeouts go by. @default systemClock */
  clock?: Clock;
}

export const DEFAULT_CONNECT_TIMEOUT_MS = 5000;
export const DEFAULT_HEADERS_TIMEOUT_MS = 10_000;

/**
 * The server did not connect, or connected and did not answer, within its time: `no answer from
 * <host> within N s`. Not worth retrying in the same run: a port that accepts and never answers
 * would otherwise cost every retry's full wait (issue 11 #11). `name` is `TimeoutError`, so it
 * classifies as a timeout like any other.
 */
export class NoAnswerError extends Error {
  override readonly name = 'TimeoutError';
  readonly code = 'ETIMEDOUT';
  readonly retryable = false;

  constructor(
    readonly host: string,
    /** `connect`: no TCP connection; `headers`: connected, request sent, no response headers. */
    readonly phase: 'connect' | 'headers',
    readonly timeoutMs: number,
  ) {
    super(
      `no answer from ${host} within ${timeoutMs / 1000} s (${phase === 'connect' ? 'no connection' : 'connected, no response'})`,
    );
  }
}

/**
 * Only GET and HEAD reuse a kept-alive socket: a server may close an idle one just as a request
 * goes out on it, and only those requests are safe to send again (retry.ts retries them).
 */
const keepAlive = {
  'http:': new http.Agent({ keepAlive: true, maxSockets: 16 }),
  'https:': new https.Agent({ keepAlive: true, maxSockets: 16 }),
};
const REUSABLE = new Set(['GET', 'HEAD']);
/** Statuses a `Response` may not carry a body with (fetch spec "null body status"). */
const NULL_BODY = new Set([101, 103, 204, 205, 304]);

export function send(url: URL, opts: SendOptions): Promise<Response> {
  const protocol = url.protocol === 'https:' ? 'https:' : 'http:';
  const request = protocol === 'https:' ? https.request : http.request;
  const headers = opts.body ? { ...opts.headers, 'content-length': String(opts.body.byteLength) } : opts.headers;
  const clock = opts.clock ?? systemClock;
  return new Promise<Response>((resolve, reject) => {
    const tls = protocol === 'https:' ? opts.tls : undefined;
    const agent = REUSABLE.has(opts.method) ? (tls?.agent ?? keepAlive[protocol]) : false;
    // `lookup`: `*.localhost` is loopback (resolve.ts).
    const options = { method: opts.method, headers, agent, lookup: lookupHost, ...(tls && { ca: tls.ca }) };
    const req = request(url, options, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', fail);
      res.on('end', () => {
        cancelTimeout();
        const status = res.statusCode ?? 0;
        const responseHeaders = new Headers();
        for (let i = 0; i + 1 < res.rawHeaders.length; i += 2)
          responseHeaders.append(res.rawHeaders[i]!, res.rawHeaders[i + 1]!);
        const body = opts.method === 'HEAD' || NULL_BODY.has(status) ? null : Buffer.concat(chunks);
        try {
          resolve(new Response(body, { status, statusText: res.statusMessage ?? '', headers: responseHeaders }));
        } catch (error) {
          reject(error); // a status outside 200–599: not an HTTP answer this client understands
        }
      });
    });
    const cancelTimeout = clock.after(opts.timeoutMs, () =>
      req.destroy(new DOMException(`no answer within ${opts.timeoutMs} ms`, 'TimeoutError')),
    );
    // Phase timers: connect, then (once connected and the request is written) the response headers.
    let cancelPhase = () => {};
    const arm = (phase: 'connect' | 'headers', ms: number) => {
      cancelPhase();
      cancelPhase = clock.after(ms, () => req.destroy(new NoAnswerError(url.host, phase, ms)));
    };
    let connected = false;
    let written = false;
    const awaitHeaders = () => {
      if (connected && written) arm('headers', opts.headersTimeoutMs ?? DEFAULT_HEADERS_TIMEOUT_MS);
    };
    req.on('socket', (socket) => {
      if (!socket.connecting) {
        connected = true; // a kept-alive socket
        return awaitHeaders();
      }
      arm('connect', opts.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS);
      socket.once('connect', () => {
        cancelPhase();
        connected = true;
        awaitHeaders();
      });
    });
    req.on('finish', () => {
      written = true;
      awaitHeaders();
    });
    req.on('response', () => cancelPhase());
    function fail(error: Error): void {
      cancelTimeout();
      cancelPhase();
      reject(error);
    }
    req.on('error', fail);
    req.end(opts.body);
  });
}

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

export interface RedirectOptions {
  /** Sent only to `authorizedOrigin`: never to the storage or host a redirect points to. */
  authorization: string | undefined;
  authorizedOrigin: string;
  maxRedirects: number;
}

/**
 * `send`, following redirects by hand so that `Authorization` never goes to another origin (blob
 * storage redirects to S3-style URLs that carry their own signature). A 303 turns into a GET
 * without a body; past `maxRedirects` the redirect itself is returned.
 */
export async function sendFollowingRedirects(
  url: URL,
  opts: SendOptions,
  redirects: RedirectOptions,
): Promise<Response> {
  const { body: firstBody, ...common } = opts;
  let { method } = opts;
  let body = firstBody;
  for (let hop = 0; ; hop++) {
    const headers =
      redirects.authorization && url.origin === redirects.authorizedOrigin
        ? { ...opts.headers, authorization: redirects.authorization }
        : opts.headers;
    const res = await send(url, { ...common, method, headers, ...(body !== undefined && { body }) });
    const location = res.headers.get('location');
    if (!REDIRECT_STATUSES.has(res.status) || !location || hop >= redirects.maxRedirects) return res;
    await res.body?.cancel().catch(() => undefined);
    url = new URL(location, url);
    if (res.status === 303 && method !== 'HEAD') {
      method = 'GET';
      body = undefined;
    }
  }
}
