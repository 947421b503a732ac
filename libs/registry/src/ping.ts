/**
 * `GET /v2/`: can we talk to this registry at all, and if not, why. The answer is a value
 * whose `detail` says what to change.
 */
import { RegistryError } from './errors.js';
import type { Transport } from './transport/http.js';
import type { NetworkFailureKind } from './transport/network.js';
import type { Scheme } from './transport/scheme.js';
import { send } from './transport/send.js';

export type PingResult =
  | {
      status: 'ok';
      scheme: Scheme;
      /** How the registry wanted us to authenticate. */ auth: 'anonymous' | 'basic' | 'bearer';
    }
  | { status: 'http-vs-https'; detail: string }
  | { status: 'unauthorized'; detail: string }
  | {
      status: 'unreachable';
      detail: string;
      /** What kind of network failure, when no answer came (`dns`, `refused`, `tls-certificate`, …). */
      network?: NetworkFailureKind;
    };

/** What Go's HTTPS server writes to a plain-HTTP request (net/http server.go). */
const GO_HTTP_TO_HTTPS = 'Client sent an HTTP request to an HTTPS server';

const INSECURE_FIX = 'mark the registry `insecure: true` in services.manifest.yaml, or push through a loopback host';

/** After a failed TLS handshake: does the same port answer plain HTTP? */
async function answersPlainHttp(t: Transport): Promise<boolean> {
  try {
    await send(new URL(`http://${t.opts.host}/v2/`), {
      method: 'GET',
      headers: {},
      timeoutMs: 3000,
      clock: t.opts.clock,
    });
    return true;
  } catch {
    return false;
  }
}

export async function ping(t: Transport): Promise<PingResult> {
  const { host, scheme } = t.opts;
  const req = { method: 'GET', url: '/v2/', operation: 'GET /v2/' } as const;
  let res: Response;
  try {
    res = await t.request(req);
  } catch (err) {
    if (!(err instanceof RegistryError)) throw err;
    if (err.status === 401) return { status: 'unauthorized', detail: err.message };
    if (err.network?.kind === 'tls-protocol' && scheme === 'https' && (await answersPlainHttp(t))) {
      return {
        status: 'http-vs-https',
        detail: `${host} speaks plain HTTP, but it was addressed over HTTPS (${err.network.code}): ${INSECURE_FIX}`,
      };
    }
    return { status: 'unreachable', detail: err.message, ...(err.network && { network: err.network.kind }) };
  }
  if (res.status === 200) {
    await res.body?.cancel();
    return { status: 'ok', scheme, auth: t.opts.auth.scheme };
  }
  if (res.status === 401 || res.status === 403)
    return { status: 'unauthorized', detail: (await t.errorFor(res, req)).message };
  const text =
    res.status === 400
      ? await res
          .clone()
          .text()
          .catch(() => '')
      : '';
  if (text.includes(GO_HTTP_TO_HTTPS)) {
    await res.body?.cancel();
    return {
      status: 'http-vs-https',
      detail: `${host} speaks HTTPS, but it was addressed over plain HTTP ("${GO_HTTP_TO_HTTPS}"): remove \`insecure: true\` for this registry in services.manifest.yaml`,
    };
  }
  const error = await t.errorFor(res, req);
  return {
    status: 'unreachable',
    detail: `${error.message}; ${scheme}://${host}/v2/ is not a registry API (wrong host or port?)`,
  };
}
