/**
 * `imagefleet builder ensure` (seed 002's ensure-buildx-k8s.sh): the named buildx builder from
 * `builder.create`, created when it is missing, recreated when it no longer bootstraps (crashed
 * pods), left alone when healthy. `buildx inspect --bootstrap` decides; one line says what was done.
 */
import type { BuilderCreate } from '@imagefleet/manifest';
import type { CommandLine } from './types.js';

/** `docker buildx create …` for the builder named `name`. Pure: a table tests it. */
export function buildxCreateArgs(name: string, create: BuilderCreate): string[] {
  const opts: Record<string, string> = { ...create.driverOpts };
  if (create.namespace !== null) opts['namespace'] = create.namespace;
  if (create.replicas !== null) opts['replicas'] = String(create.replicas);
  const args = ['buildx', 'create', '--name', name, '--driver', create.driver];
  for (const [k, v] of Object.entries(opts)) args.push('--driver-opt', `${k}=${v}`);
  if (create.buildkitdConfig) args.push('--buildkitd-config', create.buildkitdConfig);
  if (create.driver === 'remote' && create.endpoint) args.push(create.endpoint);
  return args;
}

export type EnsureOutcome =
  | { status: 'healthy'; line: string }
  | { status: 'created' | 'recreated'; line: string }
  | { status: 'failed'; line: string };

/** Runs one docker command; `{ ok, output }` (stdout + stderr). */
export type DockerRun = (cmd: CommandLine) => Promise<{ ok: boolean; output: string }>;

export async function ensureBuilder(
  docker: string,
  name: string,
  create: BuilderCreate,
  run: DockerRun,
): Promise<EnsureOutcome> {
  const cmd = (...args: string[]): CommandLine => ({ file: docker, args, env: {} });
  const inspect = await run(cmd('buildx', 'inspect', '--bootstrap', name));
  if (inspect.ok)
    return { status: 'healthy', line: `builder ${name}: ${driverOf(inspect.output)} and running, left alone` };
  const missing = /no builder .* found|not found/i.test(inspect.output);
  if (!missing) {
    const removed = await run(cmd('buildx', 'rm', name));
    if (!removed.ok)
      return {
        status: 'failed',
        line: `builder ${name} does not bootstrap and cannot be removed: ${last(removed.output)}`,
      };
  }
  const created = await run(cmd(...buildxCreateArgs(name, create)));
  if (!created.ok) return { status: 'failed', line: `docker buildx create --name ${name}: ${last(created.output)}` };
  const boot = await run(cmd('buildx', 'inspect', '--bootstrap', name));
  if (!boot.ok)
    return { status: 'failed', line: `builder ${name} was created but does not bootstrap: ${last(boot.output)}` };
  const what = missing ? 'created' : 'recreated';
  return {
    status: what,
    line: `builder ${name}: ${what} (${create.driver}${create.endpoint ? ` at ${create.endpoint}` : ''}) and bootstrapped${missing ? '' : ' (it did not bootstrap)'}`,
  };
}

function driverOf(inspect: string): string {
  return `driver ${/^Driver:\s*(\S+)/m.exec(inspect)?.[1] ?? '?'}`;
}

function last(output: string): string {
  return output.trim().split('\n').at(-1)?.trim() ?? '';
}
