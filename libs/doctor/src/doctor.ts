/**
 * `imagefleet doctor`: the set-up from each point of view — this machine (names, the push host,
 * credentials, the port), the builder (engine, buildx, HTTP to the registry), a node (one pull
 * through the generated hosts.toml) — and what is already in the registry (underscore
 * repositories, stale content tags). Every check is bounded and they run side by side: seconds.
 */
import { lookup as dnsLookup } from 'node:dns/promises';
import { clusterTarget, etcHostsLine } from '@imagefleet/cluster';
import { createEngine, type Engine, type EngineInfo } from '@imagefleet/buildkit';
import type { Manifest } from '@imagefleet/manifest';
import { runCommand } from '@imagefleet/process';
import { isLoopbackHost, schemeFor, type RegistryClient } from '@imagefleet/registry';
import {
  createRunContext,
  createRunRegistry,
  findService,
  newRunId,
  pullAsNode,
  serviceContext,
  verifyServices,
  type PullAsNodeOptions,
  type RunRegistry,
} from '@imagefleet/pipeline';
import { buildxCheck, engineCheck, engineSpeaksHttp, type EngineRegistryConfig } from './engine.js';
import { namedCredentials } from './credentials-env.js';
import { daemonConfig } from './daemon-config.js';
import { credentialsAccepted, portHolder, registryAnswers } from './registry.js';
import { staleContentTags, underscoreRepositories } from './registry-contents.js';
import { hostname, manifestHosts, resolvesHere, type Lookup } from './resolve.js';
import { fail, pass, type DoctorCheck } from './types.js';

export { formatDoctor, type DoctorCheck } from './types.js';

export interface DoctorOptions {
  env: NodeJS.ProcessEnv;
  /** Also pull one verified image as a node does, with this certs.d. */
  asNode?: Omit<PullAsNodeOptions, 'ctr' | 'timeoutMs'> | undefined;
  /** Tests: a fake resolver, engine or `docker info` RegistryConfig. */
  lookup?: Lookup;
  engine?: Engine;
  registryConfig?: () => Promise<EngineRegistryConfig>;
  /** Tests: where to look for dockerd's command line. @default '/proc' */
  procRoot?: string;
}

const ENGINE_TIMEOUT_MS = 5000;

export async function runDoctor(manifest: Manifest, opts: DoctorOptions): Promise<DoctorCheck[]> {
  const { registry } = manifest;
  const runRegistry = createRunRegistry(manifest, opts.env);
  const client = runRegistry.push;
  const lookup: Lookup = opts.lookup ?? ((name) => dnsLookup(name));
  const ping = client.ping();

  const sections: Promise<(DoctorCheck | null)[]>[] = [
    resolveSection(manifest, lookup),
    Promise.resolve(namedCredentials(registry, opts.env)),
    ping.then(async (p) => [
      registryAnswers(registry.pushHost, p, {
        field: 'pushHost',
        caFile: registry.hosts[registry.pushHost]?.caFile ?? null,
      }),
      credentialsAccepted(registry.pushHost, p),
      isLoopbackHost(registry.pushHost) ? await portHolder(registry.pushHost, client.scheme) : null,
    ]),
    referenceSection(manifest, runRegistry),
    engineSection(manifest, opts, lookup),
    ping.then((p) => (p.status === 'ok' ? contentsSection(manifest, client) : [])),
    ping.then((p) => (p.status === 'ok' && opts.asNode ? nodeSection(manifest, opts.env, opts.asNode) : [])),
  ];
  return (await Promise.all(sections)).flat().filter((c): c is DoctorCheck => c !== null);
}

/**
 * The reference host, where it is not the push host: verify reads every manifest through it, so
 * a scheme or CA that is wrong for it fails every push at verify (`EPROTO`). A host this machine
 * cannot reach is not checked by verify either, and says so here.
 */
async function referenceSection(manifest: Manifest, runRegistry: RunRegistry): Promise<DoctorCheck[]> {
  const { host } = manifest.registry;
  const reference = await runRegistry.reference();
  if (reference.status === 'same') return [];
  if (reference.status === 'not-checked')
    return [pass(`registry ${host}`, `reference host, not checked from this machine: ${reference.reason}`)];
  const ping = await reference.client.ping();
  const answers = registryAnswers(host, ping, { field: 'host', caFile: manifest.registry.hosts[host]?.caFile ?? null });
  return [answers, credentialsAccepted(host, ping)].filter((c): c is DoctorCheck => c !== null);
}

async function resolveSection(manifest: Manifest, lookup: Lookup): Promise<DoctorCheck[]> {
  const { registry } = manifest;
  let etcHosts: string | null = null;
  try {
    etcHosts = etcHostsLine(clusterTarget(manifest, 'containerd'));
  } catch {
    // A registry the cluster lib cannot wire has its own error in cluster-config; no line here.
  }
  return Promise.all(
    manifestHosts(registry).map((role) =>
      resolvesHere(role, lookup, {
        etcHosts: hostname(role.host) === etcHosts?.split(' ')[1] ? etcHosts : null,
        builderOnly: role.roles.length === 1 && role.roles[0] === 'builderHost',
      }),
    ),
  );
}

function bounded<T>(promise: Promise<T>, what: string): Promise<T> {
  return Promise.race([
    promise,
    new Promise<never>((_, reject) =>
      setTimeout(
        () => reject(new Error(`${what}: no answer within ${ENGINE_TIMEOUT_MS / 1000} s`)),
        ENGINE_TIMEOUT_MS,
      ).unref(),
    ),
  ]);
}

async function engineSection(manifest: Manifest, opts: DoctorOptions, lookup: Lookup): Promise<DoctorCheck[]> {
  // The engine and CLI every command uses: the environment's, else the workspace's engine.env.
  const { docker, env: engineEnv } = manifest.builder;
  const dockerHost = engineEnv['DOCKER_HOST'];
  const where = dockerHost ?? 'unix:///var/run/docker.sock';
  const engine = opts.engine ?? createEngine(dockerHost);
  const info = await bounded(engine.info(), 'engine').catch((e: unknown): Error =>
    e instanceof Error ? e : new Error(String(e)),
  );
  const checks: DoctorCheck[] = [engineCheck(info as EngineInfo | Error, where)];
  if (info instanceof Error) return checks;

  const { registry } = manifest;
  const httpHosts = [
    { host: registry.pushHost, role: 'pushHost' },
    { host: registry.builderHost, role: 'builderHost' },
  ].filter(
    (h, i, all) =>
      all.findIndex((o) => o.host === h.host) === i &&
      schemeFor(h.host, registry.hosts[h.host]?.insecure ?? registry.insecure) === 'http',
  );
  if (httpHosts.length > 0) {
    const readConfig = opts.registryConfig ?? (() => dockerRegistryConfig(docker, engineEnv));
    const daemon = daemonConfig(dockerHost, opts.procRoot);
    try {
      const config = await readConfig();
      for (const { host, role } of httpHosts) {
        const addresses = await lookup(hostname(host)).then(
          (a) => [a.address],
          () => [] as string[],
        );
        checks.push(engineSpeaksHttp(host, role, config, addresses, await daemon));
      }
    } catch (error) {
      checks.push(fail('engine registry config', (error as Error).message, `check that \`${docker} info\` works`));
    }
  }
  if (manifest.builder.driver === 'buildx') {
    const version = await runCommand(docker, ['buildx', 'version'], { timeoutMs: ENGINE_TIMEOUT_MS, env: engineEnv });
    checks.push(buildxCheck(version, docker));
    const { name, endpoint } = manifest.builder;
    if (name || endpoint) checks.push(await builderReachable(docker, engineEnv, name, endpoint));
  }
  return checks;
}

/** A builder that is not this machine's engine answers: `buildx inspect --bootstrap` where it runs. */
async function builderReachable(
  docker: string,
  engineEnv: Record<string, string>,
  name: string | null,
  endpoint: string | null,
): Promise<DoctorCheck> {
  const isUrl = endpoint !== null && endpoint.includes('://');
  const args = [
    ...(endpoint && !isUrl ? ['--context', endpoint] : []),
    'buildx',
    'inspect',
    '--bootstrap',
    ...(name ? [name] : []),
  ];
  const res = await runCommand(docker, args, {
    timeoutMs: ENGINE_TIMEOUT_MS * 3,
    env: { ...engineEnv, ...(isUrl ? { DOCKER_HOST: endpoint } : {}) },
  });
  const label = `builder ${name ?? endpoint}`;
  if (res.ok)
    return pass(label, (/^Driver:\s*(\S+)/m.exec(res.stdout)?.[1] ?? 'answers') + (endpoint ? ` at ${endpoint}` : ''));
  return fail(
    label,
    `${docker} ${args.join(' ')}: ${res.reason}`,
    name
      ? `create it (docker buildx create --name ${name} …) or fix builder.name`
      : 'start that engine, or fix builder.endpoint',
  );
}

async function dockerRegistryConfig(docker: string, env: Record<string, string>): Promise<EngineRegistryConfig> {
  const res = await runCommand(docker, ['info', '--format', '{{json .RegistryConfig}}'], {
    timeoutMs: ENGINE_TIMEOUT_MS,
    env,
  });
  if (!res.ok) throw new Error(`${docker} info: ${res.reason}`);
  return JSON.parse(res.stdout) as EngineRegistryConfig;
}

async function contentsSection(manifest: Manifest, client: RegistryClient): Promise<DoctorCheck[]> {
  const { registry } = manifest;
  const catalog = client.listRepositories().then(
    (repositories) => underscoreRepositories(repositories, registry.namespace),
    (error: Error) =>
      fail(
        'repository names',
        `cannot read the catalog: ${error.message}`,
        'check by hand: GET /v2/_catalog on the push host',
      ),
  );
  const tags = (async () => {
    const byService = new Map<string, string[]>();
    try {
      await Promise.all(
        manifest.services.map(async (s) => {
          const list = await client
            .listTags(`${registry.namespace}/${s.name}`)
            .catch((e: { code?: string; status?: number }) => {
              if (e.code === 'NAME_UNKNOWN' || e.status === 404) return [];
              throw e;
            });
          byService.set(s.name, list);
        }),
      );
    } catch (error) {
      return fail('content tags', `cannot list tags: ${(error as Error).message}`, 'check the registry line above');
    }
    return staleContentTags(byService, manifest.retention.keep);
  })();
  return Promise.all([catalog, tags]);
}

async function nodeSection(
  manifest: Manifest,
  env: NodeJS.ProcessEnv,
  asNode: NonNullable<DoctorOptions['asNode']>,
): Promise<DoctorCheck[]> {
  const name = 'node pull';
  let verified: { service: string; digest: string } | undefined;
  for await (const check of verifyServices(
    manifest,
    manifest.services.map((s) => s.name),
    { env },
  )) {
    // Read to the end: every check is already in flight, and an abandoned one would reject unheard.
    if (check.status === 'verified') verified ??= { service: check.service, digest: check.digest };
  }
  if (!verified) return [fail(name, 'no service has a verified image to pull', 'push first: npx nx run-many -t push')];
  const run = createRunContext(manifest, { runId: newRunId(), env, signal: new AbortController().signal });
  const outcome = await pullAsNode(
    serviceContext(run, findService(manifest, verified.service)),
    verified.digest,
    asNode,
  );
  if (outcome.status === 'pulled') return [pass(name, `${outcome.reference} pulled through ${asNode.hostsDir}`)];
  return [fail(name, `${outcome.reference}: ${outcome.status}: ${outcome.detail}`, outcome.hint)];
}
