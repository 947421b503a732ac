/**
 * Image references by the distribution grammar (distribution/reference: reference.go,
 * regexp.go, normalize.go). Parsing is checked once, at the door: every error names what is
 * wrong and repeats the bad value, so a typo in `services.manifest.yaml` is fixed from the message.
 */
import { digestProblem } from './digest.js';

export interface ImageReference {
  /** Registry host with optional port, e.g. `localhost:5000`; `docker.io` when the name has none. */
  registry: string;
  /** Repository path without the registry, e.g. `team/app` (`library/nginx` on Docker Hub). */
  repository: string;
  tag?: string;
  digest?: string;
}

export class InvalidReferenceError extends Error {
  override readonly name = 'InvalidReferenceError';
  constructor(
    /** The reference exactly as given. */
    readonly reference: string,
    /** What is wrong, without the surrounding reference. */
    readonly reason: string,
  ) {
    super(`invalid image reference ${JSON.stringify(reference)}: ${reason}`);
  }
}

const DEFAULT_REGISTRY = 'docker.io';
const MAX_NAME = 255;
const MAX_TAG = 128;

const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const HOST_COMPONENT = /^(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])$/;
const IPV6_HOST = /^\[[a-fA-F0-9:]+\]$/;
const TAG = /^[\w][\w.-]{0,127}$/;

const show = (value: string): string => JSON.stringify(value.length > 40 ? `${value.slice(0, 37)}...` : value);

/** A domain is recognised as docker/cli does: it has `.` or `:`, is `localhost`, or has uppercase. */
function splitDomain(name: string): [string | undefined, string] {
  const slash = name.indexOf('/');
  if (slash === -1) return [undefined, name];
  const first = name.slice(0, slash);
  const isDomain = /[.:]/.test(first) || first === 'localhost' || first.toLowerCase() !== first;
  return isDomain ? [first, name.slice(slash + 1)] : [undefined, name];
}

/** Why `domain` (`host[:port]`) is not a registry host, or `undefined`. */
export function registryHostProblem(domain: string): string | undefined {
  const portAt = domain.startsWith('[') ? domain.indexOf(']:') + 1 : domain.lastIndexOf(':');
  const host = portAt > 0 ? domain.slice(0, portAt) : domain;
  const port = portAt > 0 ? domain.slice(portAt + 1) : undefined;
  if (port !== undefined && !/^[0-9]+$/.test(port)) return `registry port must be digits: ${show(domain)}`;
  if (IPV6_HOST.test(host)) return undefined;
  if (host.includes('_')) {
    return `registry host must not contain "_": ${show(domain)} (hostnames allow letters, digits, "-" and "."; rename Compose-style names such as proj_registry_1)`;
  }
  if (!host.split('.').every((c) => HOST_COMPONENT.test(c))) {
    return `registry host is not a valid hostname: ${show(domain)} (dot-separated letters, digits and inner "-")`;
  }
  return undefined;
}

/** Why `path` is not a repository path, or `undefined`. */
export function repositoryProblem(path: string): string | undefined {
  if (path.toLowerCase() !== path) return `repository name must be lowercase: ${show(path)}`;
  if (path.length > MAX_NAME) return `repository name must not be more than ${MAX_NAME} characters, got ${path.length}`;
  for (const component of path.split('/')) {
    if (component === '') return `repository path has an empty component: ${show(path)}`;
    if (!PATH_COMPONENT.test(component)) {
      return `repository path component ${show(component)} is invalid: use lowercase letters and digits, separated by one ".", one or two "_", or "-"`;
    }
  }
  return undefined;
}

/** Why `tag` is not a tag, or `undefined`. */
export function tagProblem(tag: string): string | undefined {
  if (tag.length > MAX_TAG) return `tag must be at most ${MAX_TAG} characters, got ${tag.length}: ${show(tag)}`;
  if (TAG.test(tag)) return undefined;
  if (tag === '') return 'tag is empty after ":"';
  const bad = [...tag].find((c) => !/[\w.-]/.test(c));
  if (bad !== undefined) {
    return `tag contains ${JSON.stringify(bad)}, which is not allowed (letters, digits, "_", "." and "-"): ${show(tag)}`;
  }
  return `tag must start with a letter, digit or "_": ${show(tag)}`;
}

/**
 * Parse and validate an image reference.
 * @example parseReference('localhost:5000/team/app:v1') // { registry: 'localhost:5000', repository: 'team/app', tag: 'v1' }
 * @example parseReference('nginx') // { registry: 'docker.io', repository: 'library/nginx' }
 * @throws InvalidReferenceError naming the part that is wrong
 */
export function parseReference(input: string): ImageReference {
  const fail = (reason: string): never => {
    throw new InvalidReferenceError(input, reason);
  };
  if (input.trim() === '') fail('reference is empty');
  if (/\s/.test(input)) fail('reference contains whitespace');

  let rest = input;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at !== -1) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    const problem = digestProblem(digest);
    if (problem) fail(problem);
  }

  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    const problem = tagProblem(tag);
    if (problem) fail(problem);
  }

  if (rest === '') fail('repository name is empty');
  if (rest.length > MAX_NAME) {
    fail(`repository name must not be more than ${MAX_NAME} characters, got ${rest.length} (registry included)`);
  }
  const [domain, path] = splitDomain(rest);
  if (domain !== undefined) {
    const problem = registryHostProblem(domain);
    if (problem) fail(problem);
  }
  const problem = repositoryProblem(path);
  if (problem) fail(problem);

  const registry = domain ?? DEFAULT_REGISTRY;
  const repository = registry === DEFAULT_REGISTRY && !path.includes('/') ? `library/${path}` : path;
  return { registry, repository, ...(tag !== undefined && { tag }), ...(digest !== undefined && { digest }) };
}

/** `registry/repository[:tag][@digest]`, the canonical form. */
export function formatReference(ref: ImageReference): string {
  return `${ref.registry}/${ref.repository}${ref.tag !== undefined ? `:${ref.tag}` : ''}${ref.digest !== undefined ? `@${ref.digest}` : ''}`;
}
