import { DOMAIN, MAX_NAME_LENGTH, REPOSITORY_PATH, SERVICE_NAME, TAG } from '../grammar.js';
import type { ManifestFile } from '../schema.js';
import { toServiceName, toTag } from '../suggest.js';
import type { PathSegment, Problem } from '../problem.js';
import { isTemplate } from '../tag-template.js';

/**
 * Names that end up in image references must parse everywhere they go: docker, containerd,
 * kubelet (`InvalidImageName`), Nx. REFERENCE.md §6 has the grammar.
 */

/** Service names become repository names, Nx projects and Kubernetes names: lower case, hyphens. */
export function serviceNameProblems(names: readonly string[]): Problem[] {
  return names
    .filter((name) => !SERVICE_NAME.test(name))
    .map((name) => ({
      path: ['services', name],
      at: 'key' as const,
      message: serviceNameMessage(name),
    }));
}

function serviceNameMessage(name: string): string {
  const suggestion = toServiceName(name);
  const rename = suggestion ? `: rename to "${suggestion}"` : '';
  const underscore = name.includes('_');
  const upper = name !== name.toLowerCase();
  if (underscore && upper) return `image names are lower case and use hyphens, not underscores${rename}`;
  if (underscore) return `image names use hyphens, not underscores${rename}`;
  if (upper) return `image names are lower case${rename}`;
  return `image names are lower-case letters and digits joined by single hyphens${rename}`;
}

export function registryProblems({ registry }: ManifestFile): Problem[] {
  const problems: Problem[] = [];
  for (const key of ['host', 'pushHost', 'builderHost'] as const) {
    const host = registry[key];
    const message = host === undefined || host === null ? undefined : hostMessage(host);
    if (message) problems.push({ path: ['registry', key], message });
  }
  for (const [host, settings] of Object.entries(registry.hosts ?? {})) {
    const message = hostMessage(host);
    if (message) problems.push({ path: ['registry', 'hosts', host], message });
    if (settings?.insecure === true && settings.caFile) {
      problems.push({
        path: ['registry', 'hosts', host, 'caFile'],
        message: 'a CA file is for HTTPS, and `insecure: true` means plain HTTP: remove one of the two',
      });
    }
  }
  const ns = registry.namespace;
  if (!REPOSITORY_PATH.test(ns)) {
    const message =
      ns !== ns.toLowerCase() && REPOSITORY_PATH.test(ns.toLowerCase())
        ? `repository names must be lowercase: use "${ns.toLowerCase()}"`
        : `"${ns}" is not a repository path: use lower-case letters and digits, separated by ".", "_", "__" or "-", with "/" between parts (e.g. "ameide" or "team/apps")`;
    problems.push({ path: ['registry', 'namespace'], message });
  }
  return problems;
}

function hostMessage(host: string): string | undefined {
  const match = DOMAIN.exec(host);
  if (match) {
    const port = match[1] === undefined ? undefined : Number(match[1]);
    return port === undefined || (port >= 1 && port <= 65535)
      ? undefined
      : `port ${match[1]} in "${host}" is not between 1 and 65535`;
  }
  if (host.includes('://'))
    return `"${host}" has a scheme: write only host[:port] ("${host.replace(/^.*?:\/\//, '').replace(/\/.*$/, '')}"); plain HTTP is registry.insecure: true`;
  if (host.includes('/'))
    return `"${host}" has a path: write only host[:port] here and put the path in registry.namespace`;
  if (host.includes('_')) {
    return `"${host}" is not a valid hostname: "_" is not allowed in hostnames (Compose names like proj_registry_1 are not valid registry hosts): use a name with hyphens such as "${host.replace(/_/g, '-')}"`;
  }
  return `"${host}" is not a valid host[:port]: use letters, digits, "-" and "." (e.g. "localhost:5001")`;
}

/** The default tag is checked once where it is written, not once per service. */
export function tagProblems(raw: ManifestFile): Problem[] {
  const problems: Problem[] = [];
  const tag = raw.defaults?.tag;
  if (typeof tag === 'string' && !TAG.test(tag)) problems.push({ path: ['defaults', 'tag'], message: tagMessage(tag) });
  // Templates (`{…}`) are checked by templateProblems.
  const lists: [PathSegment[], string[]][] = [
    [['defaults', 'tags'], raw.defaults?.tags ?? []],
    ...Object.entries(raw.services).map(([name, entry]): [PathSegment[], string[]] => [
      ['services', name, 'tags'],
      entry?.tags ?? [],
    ]),
  ];
  for (const [at, tags] of lists)
    tags.forEach((t, i) => {
      if (!isTemplate(t) && !TAG.test(t)) problems.push({ path: [...at, i], message: tagMessage(t) });
    });
  return problems;
}

function tagMessage(tag: string): string {
  const suggestion = toTag(tag);
  const rename = suggestion && suggestion !== tag ? `: use "${suggestion}"` : '';
  return `tag "${tag}" is not valid: tags are 1-128 letters, digits, "_", "." and "-", not starting with "." or "-"${rename}`;
}

/** Older clients count `host/path` against the 255-character limit, so the whole name must fit. */
export function lengthProblems(raw: ManifestFile): Problem[] {
  const { host, pushHost, namespace } = raw.registry;
  const longest = [host, pushHost ?? host].reduce((a, b) => (b.length > a.length ? b : a));
  return Object.keys(raw.services).flatMap((name) => {
    const full = `${longest}/${namespace}/${name}`;
    if (full.length <= MAX_NAME_LENGTH) return [];
    return [
      {
        path: ['services', name],
        at: 'key' as const,
        message: `image name "${full}" is ${full.length} characters, over the limit of ${MAX_NAME_LENGTH}: shorten the service name or registry.namespace`,
      },
    ];
  });
}
