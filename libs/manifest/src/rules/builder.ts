import { statSync } from 'node:fs';
import { isIP } from 'node:net';
import type { Manifest } from '../types.js';
import type { PathSegment, Problem } from '../problem.js';

/**
 * The builder's fields must mean something for its driver: the docker driver builds with this
 * machine's engine, so a name or endpoint given to it would be silently ignored (a probe built
 * `ssh://ci@build-host`'s services locally and exited 0). Endpoints must parse as the client
 * that reads them does, and TLS files must be there, before any build starts.
 */
export function builderProblems(manifest: Manifest): Problem[] {
  const { builder } = manifest;
  const problems: Problem[] = [];
  const at = (...path: PathSegment[]) => ['builder', ...path];
  const fromEnv = (field: string) => manifest.overrides.find((o) => o.field === field);
  if (builder.driver === 'docker') {
    for (const field of ['name', 'endpoint', 'tls', 'create'] as const) {
      if (builder[field] === null) continue;
      problems.push({
        path: at(field),
        message: `builder.${field} is for driver buildx or buildctl; the docker driver builds with this machine's engine (DOCKER_HOST): set builder.driver: buildctl (a BuildKit address) or buildx (a named builder), or remove builder.${field}`,
      });
    }
  }
  if (builder.endpoint !== null && builder.driver !== 'docker') {
    const message = endpointMessage(builder.driver, builder.endpoint);
    const env = fromEnv('builder.endpoint');
    if (message)
      problems.push({ path: at('endpoint'), message: env ? `${env.env}=${env.value}: ${message}` : message });
  }
  if (builder.tls) {
    if (builder.driver !== 'buildctl')
      problems.push({ path: at('tls'), message: 'builder.tls is for driver buildctl (a tcp:// BuildKit address)' });
    for (const field of ['caFile', 'certFile', 'keyFile'] as const) {
      const file = builder.tls[field];
      if (file !== null && !statSync(file, { throwIfNoEntry: false })?.isFile())
        problems.push({ path: at('tls', field), message: `${file} does not exist: fix builder.tls.${field}` });
    }
    if ((builder.tls.certFile === null) !== (builder.tls.keyFile === null))
      problems.push({ path: at('tls'), message: 'a client certificate needs both builder.tls.certFile and keyFile' });
  }
  if (builder.create) {
    if (builder.driver !== 'buildx' || builder.name === null)
      problems.push({
        path: at('create'),
        message: 'builder.create makes a named buildx builder: set builder.driver: buildx and builder.name',
      });
    if (builder.create.driver === 'remote' && builder.create.endpoint === null)
      problems.push({
        path: at('create', 'driver'),
        message: 'the remote driver needs builder.create.endpoint (tcp://buildkitd:1234)',
      });
  }
  if (manifest.cache.registry && builder.driver === 'docker')
    problems.push({
      path: ['cache', 'registry'],
      message:
        "the docker driver (the engine's embedded BuildKit) cannot export a registry cache (--cache-to): use builder.driver buildx or buildctl, or remove cache.registry",
    });
  const hostSections: { path: PathSegment[]; hosts: Record<string, string> }[] = [
    { path: at('addHosts'), hosts: builder.addHosts },
    ...manifest.services.map((s) => ({ path: ['services', s.name, 'addHosts'], hosts: s.addHosts })),
  ];
  for (const { path, hosts } of hostSections)
    for (const [name, ip] of Object.entries(hosts))
      if (!isIP(ip))
        problems.push({
          path: [...path, name],
          message: `${name}: "${ip}" is not an IP address (addHosts maps a name to an IP)`,
        });
  return problems;
}

const BUILDCTL_SCHEMES = [
  'tcp:',
  'unix:',
  'docker-container:',
  'kube-pod:',
  'podman-container:',
  'ssh:',
  'nerdctl-container:',
];

/** null when `endpoint` is what the driver's client accepts, else why not. */
export function endpointMessage(driver: 'buildx' | 'buildctl', endpoint: string): string | null {
  if (driver === 'buildx' && !endpoint.includes('://'))
    return /^[a-zA-Z0-9][a-zA-Z0-9_.+-]*$/.test(endpoint)
      ? null
      : `"${endpoint}" is neither a docker context name nor a DOCKER_HOST value (unix://…, tcp://host:port, ssh://user@host)`;
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    return `"${endpoint}" is not an address: use tcp://host:port or unix:///path/to/buildkitd.sock`;
  }
  const schemes = driver === 'buildctl' ? BUILDCTL_SCHEMES : ['tcp:', 'unix:', 'ssh:'];
  if (!schemes.includes(url.protocol))
    return `"${endpoint}": ${url.protocol.replace(':', '')}:// is not a scheme ${driver === 'buildctl' ? 'buildctl' : 'DOCKER_HOST'} knows (${schemes.map((s) => `${s}//`).join(', ')})`;
  if (url.protocol === 'tcp:' && (!url.hostname || !url.port))
    return `"${endpoint}" needs a host and a port: tcp://host:port (BuildKit has no default port)`;
  if (url.protocol === 'unix:' && !url.pathname.startsWith('/'))
    return `"${endpoint}" needs an absolute socket path: unix:///run/buildkit/buildkitd.sock`;
  return null;
}
