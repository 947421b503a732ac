/**
 * `WWW-Authenticate` (RFC 7235): `Bearer realm="https://auth/token",service="reg",scope="repository:a:pull,push"`.
 * Quoted values may hold commas (scopes do), so the header is tokenised, not split on `,`.
 */

export type Challenge =
  | { scheme: 'basic'; realm?: string }
  | { scheme: 'bearer'; realm: string; service?: string; scopes: string[] }
  | { scheme: 'other'; name: string };

/** Auth-params after the scheme: `k=v`, `k="v, with \"escapes\""`. */
function parseParams(text: string): Record<string, string> {
  const params: Record<string, string> = {};
  const re = /\s*([A-Za-z0-9_.-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^,\s]*))\s*,?/gy;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) !== null && m[0] !== '') {
    params[m[1]!.toLowerCase()] = m[2] !== undefined ? m[2].replace(/\\(.)/g, '$1') : (m[3] ?? '');
  }
  return params;
}

/** The first challenge of the header, or `undefined` when there is none. */
export function parseChallenge(header: string | null): Challenge | undefined {
  const match = header?.trim().match(/^([A-Za-z][A-Za-z0-9!#$%&'*+.^_`|~-]*)(?:\s+(.*))?$/s);
  if (!match) return undefined;
  const name = match[1]!;
  const params = parseParams(match[2] ?? '');
  switch (name.toLowerCase()) {
    case 'basic':
      return { scheme: 'basic', ...(params.realm !== undefined && { realm: params.realm }) };
    case 'bearer':
      if (!params.realm) return { scheme: 'other', name };
      return {
        scheme: 'bearer',
        realm: params.realm,
        ...(params.service !== undefined && { service: params.service }),
        // Several scopes are space-separated (distribution auth/scope.md).
        scopes: (params.scope ?? '').split(' ').filter(Boolean),
      };
    default:
      return { scheme: 'other', name };
  }
}

/** The scope a request needs: pull to read, pull+push to write, delete to delete (distribution app.go). */
export function scopeFor(repository: string | undefined, method: string): string | undefined {
  if (!repository) return undefined;
  const actions = method === 'GET' || method === 'HEAD' ? 'pull' : method === 'DELETE' ? 'delete' : 'pull,push';
  return `repository:${repository}:${actions}`;
}
