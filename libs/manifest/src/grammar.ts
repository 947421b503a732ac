/**
 * The pieces of the image reference grammar the manifest is checked against
 * (distribution/reference regexp.go; REFERENCE.md §6). Kept here rather than imported from
 * the registry lib: manifest sits at the bottom of the import graph.
 */

/** Service (image) names: stricter than a path component — no `.` or `_`, so the same name is a
 * valid Nx project, Kubernetes object (DNS-1123 label) and repository name. */
export const SERVICE_NAME = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

const PATH_COMPONENT = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
/** A repository path: lower-case components joined by `/`. */
export const REPOSITORY_PATH = new RegExp(`^${PATH_COMPONENT}(?:/${PATH_COMPONENT})*$`);

const HOST_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
/** `host[:port]`, where host is a DNS name, IPv4 address or bracketed IPv6 address. */
export const DOMAIN = new RegExp(`^(?:${HOST_COMPONENT}(?:\\.${HOST_COMPONENT})*|\\[[a-fA-F0-9:]+\\])(?::([0-9]+))?$`);

export const TAG = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/;

/** BuildKit secret ids are passed as environment variables, so they follow env-var naming. */
export const SECRET_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Build-arg names that almost certainly carry a credential. Build args are stored in the
 * image history, so these must go through BuildKit secrets instead. */
export const SECRET_LIKE = /(TOKEN|SECRET|PASSWORD|PASSWD|API_KEY|PRIVATE_KEY)/i;

/** Older clients count `host/path` against this limit, so the full name is kept within it. */
export const MAX_NAME_LENGTH = 255;

/** The host part of `host[:port]` (brackets kept for IPv6). */
export function hostname(domain: string): string {
  if (domain.startsWith('[')) return domain.slice(0, domain.indexOf(']') + 1);
  const colon = domain.lastIndexOf(':');
  return colon === -1 ? domain : domain.slice(0, colon);
}

/** Hosts that Docker and containerd talk plain HTTP to without being told. */
export function isLoopback(domain: string): boolean {
  const host = hostname(domain).toLowerCase();
  return host === 'localhost' || host === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}
