/**
 * The machine the figures were taken on, and the clean-up of what the benchmark left in the
 * Docker engine: every image it built carries the label `org.imagefleet.bench=<bench id>`
 * (set in fleet-base, inherited by every service), so tags and untagged leftovers of
 * superseded builds go together. The build cache is left alone: pruning it would empty the
 * daemon's cache for everyone.
 */
import { cpus, loadavg } from 'node:os';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { execa } from 'execa';
import { DOCKER } from './engine.js';
import { LABEL, NAMESPACE } from './fixture.js';

const REPO_ROOT = resolve(import.meta.dirname, '..');

export interface MachineInfo {
  cores: number;
  cpu: string;
  docker: string;
  registry: string;
  node: string;
  nx: string;
}

export async function machineInfo(): Promise<MachineInfo> {
  const [nproc, docker, registry] = await Promise.all([
    execa('nproc', { reject: false }),
    execa(DOCKER, ['version', '--format', 'client {{.Client.Version}}, engine {{.Server.Version}}'], { reject: false }),
    execa('/usr/bin/docker-registry', ['--version'], { reject: false }),
  ]);
  const nxVersion = (
    JSON.parse(readFileSync(join(REPO_ROOT, 'node_modules', 'nx', 'package.json'), 'utf8')) as { version: string }
  ).version;
  return {
    cores: Number(nproc.stdout) || cpus().length,
    cpu: cpus()[0]?.model ?? 'unknown',
    docker: docker.stdout || 'unknown',
    registry: registry.stdout.split(' ').slice(-1)[0] ?? 'unknown',
    node: process.version,
    nx: nxVersion,
  };
}

/**
 * The benchmark needs the engine: without one every run fails in a second and the report would
 * hold nothing but failures. Throws one line saying so (before anything is written).
 */
export async function requireEngine(): Promise<void> {
  const info = await execa(DOCKER, ['version', '--format', '{{.Server.Version}}'], { reject: false });
  if (info.exitCode !== 0 || !info.stdout.trim()) {
    throw new Error(
      `bench: no Docker engine answers ${DOCKER} (${(info.stderr.split('\n')[0] ?? '').trim() || `exit ${info.exitCode}`}): start one with bash tools/dev-env/up.sh`,
    );
  }
}

/** 1-minute load average: other work on the machine shows here. */
export const load = (): string => loadavg()[0]!.toFixed(2);

/**
 * Remove every image built under this bench id, then any tag still naming one of our
 * registries (`127.0.0.1:<port>/bench/…`). Returns how many images were removed.
 */
export async function removeBenchImages(benchId: string, registryHosts: Iterable<string>): Promise<number> {
  const labelled = await lines(['images', '-q', '--no-trunc', '--filter', `label=${LABEL}=${benchId}`]);
  await removeImages([...new Set([...labelled, ...(await taggedFor(registryHosts))])]);
  return new Set(labelled).size;
}

/**
 * Untag (and so free) what one contestant built, once its round is over: the next contestant
 * starts on an engine store of the same size, not one that holds every earlier contestant's N
 * images (measured: nx alone at N=120 108.8 s cold, after the baseline and bake in the same round 163.9 s).
 */
export async function removeImagesPushedTo(registryHost: string): Promise<void> {
  await removeImages(await taggedFor([registryHost]));
}

async function taggedFor(registryHosts: Iterable<string>): Promise<string[]> {
  const hosts = [...registryHosts].map((h) => `${h}/${NAMESPACE}/`);
  return (await lines(['images', '--format', '{{.Repository}}:{{.Tag}}'])).filter((ref) =>
    hosts.some((h) => ref.startsWith(h)),
  );
}

async function removeImages(targets: string[]): Promise<void> {
  for (let i = 0; i < targets.length; i += 100) {
    await execa(DOCKER, ['image', 'rm', '-f', ...targets.slice(i, i + 100)], { reject: false });
  }
}

async function lines(args: string[]): Promise<string[]> {
  const r = await execa(DOCKER, args, { reject: false });
  return r.stdout
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
}
