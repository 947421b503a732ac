/**
 * What a failed `fetch` means. Node's fetch throws `TypeError('fetch failed')` and hides the
 * socket error in `cause` (sometimes an AggregateError from happy-eyeballs): dig the code out
 * once, here, so ping, retry and verify all read the same classification.
 */

export type NetworkFailureKind =
  /** The name does not resolve from this machine. */
  | 'dns'
  /** Nothing listens at host:port. */
  | 'refused'
  /** TLS handshake with something that does not speak TLS: usually HTTPS against a plain-HTTP registry. */
  | 'tls-protocol'
  /** The server speaks TLS but its certificate is not trusted for this name. */
  | 'tls-certificate'
  | 'timeout'
  /** Connection reset or closed mid-request: often transient. */
  | 'reset'
  | 'other';

export interface NetworkFailure {
  kind: NetworkFailureKind;
  /** The socket/TLS error code, e.g. `ECONNREFUSED`, `ERR_SSL_WRONG_VERSION_NUMBER`. */
  code: string;
  message: string;
}

const CERT_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

function findCode(err: unknown, depth = 0): { code: string; message: string } | undefined {
  if (depth > 5 || typeof err !== 'object' || err === null) return undefined;
  const e = err as { code?: unknown; name?: unknown; message?: unknown; cause?: unknown; errors?: unknown };
  if (e.name === 'TimeoutError' || e.name === 'AbortError') return { code: String(e.name), message: String(e.message) };
  const nested =
    findCode(e.cause, depth + 1) ?? (Array.isArray(e.errors) ? findCode(e.errors[0], depth + 1) : undefined);
  if (nested) return nested;
  return typeof e.code === 'string' ? { code: e.code, message: String(e.message ?? e.code) } : undefined;
}

export function classifyNetworkError(err: unknown): NetworkFailure {
  const found = findCode(err) ?? { code: 'UNKNOWN', message: err instanceof Error ? err.message : String(err) };
  const { code } = found;
  const kind: NetworkFailureKind =
    code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EAI_NONAME'
      ? 'dns'
      : code === 'ECONNREFUSED'
        ? 'refused'
        : CERT_CODES.has(code) || code.startsWith('ERR_TLS_CERT')
          ? 'tls-certificate'
          : code.startsWith('ERR_SSL_') || code === 'EPROTO'
            ? 'tls-protocol'
            : code === 'TimeoutError' || code === 'ETIMEDOUT' || code === 'UND_ERR_CONNECT_TIMEOUT'
              ? 'timeout'
              : code === 'ECONNRESET' || code === 'EPIPE' || code === 'UND_ERR_SOCKET' || code === 'ECONNABORTED'
                ? 'reset'
                : 'other';
  return { kind, code, message: found.message };
}

/** Worth another try: the same request may well succeed in a moment. */
export function isTransient(failure: NetworkFailure): boolean {
  if (failure.kind === 'other') return failure.code !== 'UNKNOWN'; // a socket error we do not know; not a bug of ours
  return failure.kind === 'refused' || failure.kind === 'timeout' || failure.kind === 'reset';
}

/** What the client trusted for TLS, for the fix in a certificate error. */
export interface TlsTrust {
  /** The CA file given for this host (`registry.hosts.<host>.caFile`), if any. */
  caFile?: string;
}

/** One sentence a person can act on, naming host:port. */
export function describeNetworkFailure(
  failure: NetworkFailure,
  host: string,
  scheme: string,
  trust: TlsTrust = {},
): string {
  switch (failure.kind) {
    case 'dns':
      return `${host.replace(/:\d+$/, '')} does not resolve from this machine (${failure.code}): check the name, /etc/hosts or DNS`;
    case 'refused':
      return `nothing listens at ${host} (${failure.code}): start the registry or fix the port`;
    case 'tls-protocol':
      return `TLS handshake with ${host} failed (${failure.code}): the registry does not speak HTTPS on that port`;
    case 'tls-certificate':
      return describeCertificateFailure(failure, host, trust);
    case 'timeout':
      // Our own connect/headers timeouts already say it in the words a person needs.
      if (failure.message.startsWith('no answer from '))
        return `${failure.message}: is ${scheme}://${host} the registry, and is it up?`;
      return `${scheme}://${host} did not answer in time (${failure.code})`;
    case 'reset':
      return `the connection to ${host} was reset (${failure.code})`;
    case 'other':
      return `request to ${scheme}://${host} failed: ${failure.code} ${failure.message}`;
  }
}

function describeCertificateFailure(failure: NetworkFailure, host: string, trust: TlsTrust): string {
  const setting = `registry.hosts.${host}.caFile`;
  if (failure.code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
    return `the TLS certificate of ${host} is not issued for ${host.replace(/:\d+$/, '')} (${failure.code}): address the registry by a name its certificate names, or reissue the certificate`;
  }
  if (failure.code === 'CERT_HAS_EXPIRED')
    return `the TLS certificate of ${host} has expired (${failure.code}): renew it`;
  if (trust.caFile) {
    return `the TLS certificate of ${host} is not signed by the CA in ${trust.caFile} (${failure.code}): set ${setting} in services.manifest.yaml to the PEM file of the CA that signed it`;
  }
  return `the TLS certificate of ${host} is not trusted (${failure.code}): set ${setting} in services.manifest.yaml to the PEM file of the CA that signed it (or add that CA to NODE_EXTRA_CA_CERTS)`;
}
