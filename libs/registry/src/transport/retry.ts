/**
 * Retrying idempotent requests (GET, HEAD) a bounded number of times with a small exponential
 * backoff: network errors that may pass (reset, refused, timeout), `429` (honouring
 * `Retry-After`) and `502/503/504`. Anything else is an answer and is returned as is.
 */
import { systemClock, type Clock } from '@imagefleet/process';
import { classifyNetworkError, isTransient } from './network.js';

export interface RetryPolicy {
  /** Retries after the first attempt. @default 3 */
  retries: number;
  /** First backoff; doubles each time. @default 100 */
  baseDelayMs: number;
  /** Cap on one backoff. @default 2000 */
  maxDelayMs: number;
  /** A `Retry-After` longer than this is not waited for: the answer is returned instead. @default 10000 */
  maxRetryAfterMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { retries: 3, baseDelayMs: 100, maxDelayMs: 2000, maxRetryAfterMs: 10_000 };

const RETRY_STATUS = new Set([429, 502, 503, 504]);

export function isIdempotent(method: string): boolean {
  return method === 'GET' || method === 'HEAD';
}

/** `Retry-After` in ms: delta-seconds or an HTTP date. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (!value) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** Errors that know (`retryable`, as RegistryError does) decide; socket errors by their kind. */
function worthRetrying(err: unknown): boolean {
  const own = (err as { retryable?: unknown } | null)?.retryable;
  if (typeof own === 'boolean') return own;
  if ((err as { name?: unknown } | null)?.name === 'TokenFetchError') return false;
  return isTransient(classifyNetworkError(err));
}

/**
 * Run `attempt` until it gives an answer worth returning.
 * @param attempt one request; throws on network failure
 */
export async function withRetry(
  method: string,
  policy: RetryPolicy,
  attempt: () => Promise<Response>,
  clock: Clock = systemClock,
): Promise<Response> {
  const retries = isIdempotent(method) ? policy.retries : 0;
  for (let n = 0; ; n++) {
    const backoff = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** n);
    let res: Response;
    try {
      res = await attempt();
    } catch (err) {
      if (n >= retries || !worthRetrying(err)) throw err;
      await clock.sleep(backoff);
      continue;
    }
    if (n >= retries || !RETRY_STATUS.has(res.status)) return res;
    const retryAfter = parseRetryAfter(res.headers.get('retry-after'), clock.now());
    if (retryAfter !== undefined && retryAfter > policy.maxRetryAfterMs) return res;
    await res.body?.cancel().catch(() => undefined);
    await clock.sleep(retryAfter ?? backoff);
  }
}
