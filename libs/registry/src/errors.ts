/**
 * The one error type of this library. It keeps the registry's own answer (`status`, the `code`
 * of `{"errors":[…]}`), says whether trying again could help, and names host, repository and
 * operation. Messages are built from values we choose, and pass through `redact` in case a
 * server echoes a URL with a signed query or a token back at us.
 */
import { STATUS_CODES } from 'node:http';
import {
  classifyNetworkError,
  describeNetworkFailure,
  isTransient,
  type NetworkFailure,
  type TlsTrust,
} from './transport/network.js';

export interface RegistryErrorContext {
  host: string;
  /** Repository path, when the request was about one. */
  repository?: string;
  /** What was being done, e.g. `GET manifest v1`, `HEAD blob sha256:…`. */
  operation: string;
}

export interface RegistryErrorInit extends RegistryErrorContext {
  reason: string;
  status?: number;
  code?: string;
  retryable?: boolean;
  network?: NetworkFailure;
  cause?: unknown;
}

export class RegistryError extends Error {
  override readonly name = 'RegistryError';
  readonly host: string;
  readonly repository: string | undefined;
  readonly operation: string;
  /** HTTP status, absent when no answer came (see `network`). */
  readonly status: number | undefined;
  /** First `errors[].code` of the body (`MANIFEST_UNKNOWN`, `UNAUTHORIZED`, …), or our own code. */
  readonly code: string | undefined;
  /** Whether the same request might succeed later (429, 5xx, connection reset). */
  readonly retryable: boolean;
  /** Set when the request never got an answer. */
  readonly network: NetworkFailure | undefined;
  /** Why it failed, without the operation and place (`message` has those). */
  readonly reason: string;

  constructor(init: RegistryErrorInit) {
    const where = init.repository ? `${init.host}/${init.repository}` : init.host;
    super(
      redact(`${init.operation} at ${where} failed: ${init.reason}`),
      init.cause ? { cause: init.cause } : undefined,
    );
    this.host = init.host;
    this.repository = init.repository;
    this.operation = init.operation;
    this.status = init.status;
    this.code = init.code;
    this.retryable = init.retryable ?? false;
    this.network = init.network;
    this.reason = redact(init.reason);
  }
}

export function isRetryableStatus(status: number): boolean {
  return status === 429 || status === 502 || status === 503 || status === 504;
}

interface ErrorBody {
  errors?: { code?: unknown; message?: unknown }[];
}

/** Build the error for a non-success answer; reads (and so releases) the body. */
export async function errorFromResponse(
  res: Response,
  ctx: RegistryErrorContext,
  hint?: string,
): Promise<RegistryError> {
  const text = ctx.operation.startsWith('HEAD') ? '' : await res.text().catch(() => '');
  let code: string | undefined;
  let message: string | undefined;
  try {
    const first = (JSON.parse(text) as ErrorBody).errors?.[0];
    if (typeof first?.code === 'string') code = first.code;
    if (typeof first?.message === 'string') message = first.message;
  } catch {
    message = text.trim().split('\n')[0]?.slice(0, 200) || undefined;
  }
  const parts = [statusLine(res), code, message, hint].filter(Boolean);
  return new RegistryError({
    ...ctx,
    reason: parts.join(': '),
    status: res.status,
    ...(code !== undefined && { code }),
    retryable: isRetryableStatus(res.status) || code === 'TOOMANYREQUESTS' || code === 'UNAVAILABLE',
  });
}

/**
 * `429 Too Many Requests (Retry-After: 30)`: the status always with its name (HTTP/2 and many
 * proxies send no reason phrase), and for 429/503 how long the registry asked us to wait — the
 * body alone ("rate limited") says neither.
 */
function statusLine(res: Response): string {
  const phrase = res.statusText || STATUS_CODES[res.status] || '';
  const retryAfter = res.status === 429 || res.status === 503 ? res.headers.get('retry-after') : null;
  return `${res.status}${phrase ? ` ${phrase}` : ''}${retryAfter ? ` (Retry-After: ${retryAfter})` : ''}`;
}

/** Build the error for a request that got no answer. @param trust what TLS trusted, for the fix */
export function errorFromNetwork(
  err: unknown,
  ctx: RegistryErrorContext,
  scheme: string,
  trust: TlsTrust = {},
): RegistryError {
  if (err instanceof RegistryError) return err;
  const network = classifyNetworkError(err);
  return new RegistryError({
    ...ctx,
    reason: describeNetworkFailure(network, ctx.host, scheme, trust),
    code: network.code,
    // An error that knows (a host that did not answer at all) decides; else the kind of failure.
    retryable:
      typeof (err as { retryable?: unknown } | null)?.retryable === 'boolean'
        ? (err as { retryable: boolean }).retryable
        : isTransient(network),
    network,
    cause: err,
  });
}

/**
 * Remove credentials from text: URL user-info, query strings (signed URLs, tokens), and
 * `Basic`/`Bearer` values.
 */
export function redact(text: string): string {
  return text
    .replace(/(\b[a-z][a-z0-9+.-]*:\/\/)[^/\s:@]+(?::[^/\s@]*)?@/gi, '$1***@')
    .replace(/(\b[a-z][a-z0-9+.-]*:\/\/[^\s?"']+)\?[^\s"']*/gi, '$1?***')
    .replace(/\b(Basic|Bearer)\s+[A-Za-z0-9+/=._~-]+/g, '$1 ***');
}
