/**
 * Garbage collection for the registries the cluster scripts run in containers (`k3d-<name>`
 * from k3d.sh, `kind-registry` from kind.sh): the container publishing the push port is found
 * with `docker ps`, and `registry garbage-collect` runs inside it with `docker exec`, a dry run
 * first (its summary said before anything is swept), with every push slot of this workspace
 * held as for the dev registry. The registry keeps serving (stopping its process would stop the
 * container); pulls are safe, and no push of ours runs meanwhile. `--delete-untagged` stays off:
 * the storage is inside the container, where we cannot check what an index still needs.
 */
import { runCommand } from '@imagefleet/process';
import { withPushesHeld, type GcOutcome, type SlotOptions } from './gc.js';

/** The config path of the `registry:2` image, then of `registry:3` (distribution 3). */
export const CONTAINER_CONFIGS = ['/etc/docker/registry/config.yml', '/etc/distribution/config.yml'];

/** A name the cluster scripts give their registry container. */
export function isClusterRegistryName(name: string): boolean {
  return name === 'kind-registry' || /^k3d-./.test(name);
}

export interface ContainerGcTarget {
  /** The docker CLI (`builder.docker`). */
  docker: string;
  container: string;
}

/** The cluster-script registry container publishing `port`, or why there is none. */
export async function findRegistryContainer(
  docker: string,
  port: string,
): Promise<{ target: ContainerGcTarget } | { skip: string }> {
  const ps = await runCommand(docker, ['ps', '--filter', `publish=${port}`, '--format', '{{.Names}}'], {
    timeoutMs: 15_000,
  });
  if (!ps.ok) return { skip: `no registry container found (${ps.reason})` };
  const names = ps.stdout
    .split('\n')
    .map((n) => n.trim())
    .filter(Boolean);
  const container = names.find(isClusterRegistryName);
  if (!container)
    return {
      skip: names.length
        ? `port ${port} is published by ${names.join(', ')}, not a k3d-<name> or kind-registry container`
        : `no container publishes port ${port}`,
    };
  return { target: { docker, container } };
}

const summaryOf = (text: string) =>
  text
    .split('\n')
    .filter((l) => /blobs marked/.test(l))
    .at(-1)
    ?.trim() ?? '';

export function collectInContainer(
  target: ContainerGcTarget,
  opts: SlotOptions & { gcTimeoutMs?: number },
): Promise<GcOutcome> {
  const { docker, container } = target;
  const gc = (config: string, dryRun: boolean) =>
    runCommand(docker, ['exec', container, 'registry', 'garbage-collect', ...(dryRun ? ['--dry-run'] : []), config], {
      timeoutMs: opts.gcTimeoutMs ?? 600_000,
    });
  return withPushesHeld(opts, async () => {
    let config = CONTAINER_CONFIGS[0]!;
    let dry = await gc(config, true);
    if (!dry.ok && /no such file|not found/i.test(dry.stderr)) {
      config = CONTAINER_CONFIGS[1]!;
      dry = await gc(config, true);
    }
    if (!dry.ok) return { status: 'failed', detail: `${dry.command}: ${dry.reason}` };
    opts.say(`pushes held (${opts.slots} slot(s)); in ${container}, dry run: ${summaryOf(dry.stdout) || 'done'}`);
    const real = await gc(config, false);
    return real.ok
      ? { status: 'collected', detail: `${container}: ${summaryOf(real.stdout) || 'done'} (--delete-untagged=false)` }
      : { status: 'failed', detail: `${real.command}: ${real.reason}` };
  });
}
