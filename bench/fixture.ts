/**
 * A fixture monorepo for the fleet benchmark: `fleet-base` (a static busybox on scratch: the
 * layer every service shares) and N services built FROM it, each with its own payload of
 * random bytes, a RUN that needs a BuildKit secret, and some CPU work (both sizes are options:
 * issue 20 measures 2 MiB + ~0.5 s at N=40 and 64 KiB + ~50 ms at N=120). Every project also
 * has a cacheable no-op target, `floor` (a `project.json` beside the inferred targets), for Nx's
 * floor, and the fixture has a `docker-bake.json` with the same services, secret and tags for
 * `docker buildx bake --push`.
 *
 * The workspace around it is the integration tests' (`makeWorkspace`: node_modules, tools and
 * libs linked from this repo, package.json / nx.json / tsconfig copied), so `nx` and the
 * imagefleet CLI run in it exactly as in a real checkout.
 *
 * `salt` goes into the base image and every payload: a fixture with a fresh salt shares no
 * build cache with any earlier one (no `docker builder prune`: that empties the daemon's whole
 * cache, everyone's). `label` marks every image built from it, for clean-up.
 */
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { makeWorkspace, type TestWorkspace } from '../test/support/workspace.js';
import { DOCKER } from './engine.js';

export const BASE = 'fleet-base';
export const NAMESPACE = 'bench';
export const TAG = 'dev';
export const SECRET = 'BENCH_TOKEN';
/** Image label carrying the benchmark run's id: `docker images --filter label=…` finds every image it built. */
export const LABEL = 'org.imagefleet.bench';
/** Bake's name for the base target; services reach it as a named context (`target:`). */
const BAKE_BASE_CONTEXT = 'fleet-base-image';

export interface FixtureOptions {
  /** Number of services besides the base. */
  services: number;
  /** `127.0.0.1:<port>` of the registry this fixture pushes to (host and pushHost). */
  registryHost: string;
  /** Makes every payload (and the base) unique to this fixture. */
  salt: string;
  /** Value of the {@link LABEL} label on every image. */
  label: string;
  /** Bytes of random payload per service (default 200 KiB). */
  payloadBytes?: number;
  /** Iterations of the busybox `sh` loop in each service's CPU step (default 20 000; ≈ 0.5 s per 250 000 here). */
  loops?: number;
  /**
   * How the nx contestant builds: `docker` (the engine builds, then pushes through its API) or
   * `buildx-push` (buildx on the engine's own builder pushes from BuildKit: `--output
   * type=image,push=true`, one command per service, under a build and a push slot).
   */
  builder?: FixtureBuilder;
  /** `concurrency.push` (default 2, the manifest's default). */
  pushLimit?: number;
}

export type FixtureBuilder = 'docker' | 'buildx-push';
export const FIXTURE_BUILDERS: FixtureBuilder[] = ['docker', 'buildx-push'];

export interface Fixture {
  dir: string;
  registryHost: string;
  /** `svc-01` … `svc-NN`, base excluded. */
  services: string[];
  /** A fresh payload for one service (a one-service change). */
  changePayload(service: string): void;
  workspace: TestWorkspace;
  dispose(): void;
}

export const serviceName = (i: number, n: number): string =>
  `svc-${String(i).padStart(Math.max(2, String(n).length), '0')}`;

export function makeFixture(opts: FixtureOptions): Fixture {
  const services = Array.from({ length: opts.services }, (_, i) => serviceName(i + 1, opts.services));
  const workspace = makeWorkspace({
    manifest: manifestText(opts.registryHost, services, opts.builder ?? 'docker', opts.pushLimit ?? 2),
    apps: [],
    dotenv: `${SECRET}=bench-${randomBytes(12).toString('hex')}\n`,
    files: {
      [`apps/${BASE}/Dockerfile`]: baseDockerfile(opts.label),
      [`apps/${BASE}/salt`]: `${opts.salt}\n`,
      ...Object.fromEntries(services.map((s) => [`apps/${s}/Dockerfile`, serviceDockerfile(opts.loops ?? 20_000)])),
      ...Object.fromEntries([BASE, ...services].map((s) => [`apps/${s}/project.json`, floorProjectJson(s)])),
      [BAKE_FILE]: bakeFile(opts.registryHost, services),
    },
  });
  const dir = workspace.dir;
  mkdirSync(join(dir, 'apps', BASE, 'rootfs', 'bin'), { recursive: true });
  copyFileSync('/bin/busybox', join(dir, 'apps', BASE, 'rootfs', 'bin', 'busybox'));
  const writePayload = (service: string, salt: string) =>
    writeFileSync(
      join(dir, 'apps', service, 'payload.bin'),
      Buffer.concat([Buffer.from(`${salt} ${service}\n`), randomBytes(opts.payloadBytes ?? 200 * 1024)]),
    );
  for (const s of services) writePayload(s, opts.salt);
  return {
    dir,
    registryHost: opts.registryHost,
    services,
    changePayload: (service) => writePayload(service, `${opts.salt}-changed-${randomBytes(4).toString('hex')}`),
    workspace,
    dispose: () => workspace.dispose(),
  };
}

/**
 * Nx's own floor: a `project.json` beside what the plugin infers for the same root (Nx merges
 * the two) giving every project a cacheable no-op target, `floor`. Once warmed, `nx run-many -t
 * floor` is Nx over the same N + 1 projects with every task a cache hit. The file never changes,
 * so it changes no content key; no Dockerfile copies it.
 */
export const FLOOR_TARGET = 'floor';
function floorProjectJson(service: string): string {
  return `${JSON.stringify({ name: service, targets: { [FLOOR_TARGET]: { executor: 'nx:noop', cache: true } } }, null, 2)}\n`;
}

function manifestText(host: string, services: string[], builder: FixtureBuilder, pushLimit: number): string {
  const entries = services.map(
    (s) => `  ${s}:\n    context: apps/${s}\n    dependsOn: [${BASE}]\n    secrets: [${SECRET}]`,
  );
  return [
    'registry:',
    `  host: ${host}`,
    `  pushHost: ${host}`,
    `  namespace: ${NAMESPACE}`,
    '  insecure: true',
    'builder:',
    ...(builder === 'docker' ? ['  driver: docker'] : ['  driver: buildx', '  name: default']),
    `  docker: ${DOCKER}`,
    'concurrency:',
    `  push: ${pushLimit}`,
    'defaults:',
    `  tag: ${TAG}`,
    'services:',
    `  ${BASE}:`,
    `    context: apps/${BASE}`,
    ...entries,
    '',
  ].join('\n');
}

/** The shared layer: busybox (~2 MB) and the salt, plus the label every service inherits. */
function baseDockerfile(label: string): string {
  return [
    'FROM scratch',
    'COPY rootfs/ /',
    'RUN ["/bin/busybox", "--install", "-s", "/bin"]',
    'COPY salt /etc/fleet-salt',
    `LABEL ${LABEL}=${label}`,
    'CMD ["sh"]',
    '',
  ].join('\n');
}

function serviceDockerfile(loops: number): string {
  return [
    'ARG FLEET_BASE_IMAGE',
    'FROM ${FLEET_BASE_IMAGE}',
    'COPY payload.bin /payload',
    `RUN --mount=type=secret,id=${SECRET} sh -c 'test -s /run/secrets/${SECRET} && sha256sum /payload > /payload.sha'`,
    // CPU work, as a real build step would have.
    `RUN i=0; while [ $i -lt ${loops} ]; do i=$((i+1)); done`,
    '',
  ].join('\n');
}

/**
 * What a bake user writes for the same fleet: one target per service, tagged as imagefleet tags
 * it, the secret from the environment (.env, as bake reads it), the base linked as a named
 * context (`target:`), so one `bake --push` builds the base and every service in one session.
 */
export const BAKE_FILE = 'docker-bake.json';
function bakeFile(host: string, services: string[]): string {
  const target = (service: string, extra: Record<string, unknown>) => ({
    context: `apps/${service}`,
    tags: [`${host}/${NAMESPACE}/${service}:${TAG}`],
    ...extra,
  });
  const bake = {
    group: { default: { targets: [BASE, ...services] } },
    target: {
      [BASE]: target(BASE, {}),
      ...Object.fromEntries(
        services.map((s) => [
          s,
          target(s, {
            args: { FLEET_BASE_IMAGE: BAKE_BASE_CONTEXT },
            contexts: { [BAKE_BASE_CONTEXT]: `target:${BASE}` },
            secret: [`id=${SECRET},env=${SECRET}`],
          }),
        ]),
      ),
    },
  };
  return `${JSON.stringify(bake, null, 2)}\n`;
}
