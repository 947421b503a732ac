/**
 * A node's view of one verified image: pull it by its **reference** name through a real
 * containerd with the generated certs.d (`ctr images pull --hosts-dir DIR`), exactly as a
 * cluster node resolves it. The outcome is a value: `pulled`, or containerd's own last line and
 * what to change. ctr runs through the one process runner, bounded.
 */
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { ctrPullArgs, nodePullResult, type NodePullStatus } from '@imagefleet/cluster';
import { runCommand } from '@imagefleet/process';
import type { ServiceContext } from './context.js';

/** Where a node's containerd listens unless told otherwise. */
export const DEFAULT_CONTAINERD_ADDRESS = '/run/containerd/containerd.sock';
/** kubelet's namespace: what a node's pods pull into. */
export const DEFAULT_NODE_NAMESPACE = 'k8s.io';

export interface PullAsNodeOptions {
  /** certs.d (`DIR/<host:port>/hosts.toml`), or the `cluster-config --out` directory holding `certs.d/`. */
  hostsDir: string;
  /** containerd's socket. @default DEFAULT_CONTAINERD_ADDRESS */
  address: string;
  /** containerd namespace. @default DEFAULT_NODE_NAMESPACE */
  namespace: string;
  /** The ctr binary. @default $IMAGEFLEET_CTR, else `ctr` on PATH */
  ctr?: string;
  /** Bound on the whole pull. @default 120000 */
  timeoutMs?: number;
}

export type NodePullOutcomeStatus = NodePullStatus | 'no-containerd' | 'no-hosts-dir';

export interface NodePullOutcome {
  status: NodePullOutcomeStatus;
  /** containerd's own last line, or why ctr did not run ('' when pulled). */
  detail: string;
  /** What to change ('' when pulled). */
  hint: string;
  /** `<registry.host>/<ns>/<svc>@sha256:…`: the name a workload uses. */
  reference: string;
}

/**
 * `cluster-config --out DIR` writes `DIR/certs.d/…`: accept either that DIR or certs.d itself.
 * Absolute: ctr 2.x hands `--hosts-dir` to the daemon (transfer service), which resolves a
 * relative path against its own directory, finds no hosts.toml and silently uses its defaults
 * (HTTPS without verification for a loopback IP): a wrong CA then "pulled" (measured, 2.1.9).
 */
export function resolveHostsDir(dir: string): string {
  const certsD = path.resolve(dir, 'certs.d');
  return existsSync(certsD) && statSync(certsD).isDirectory() ? certsD : path.resolve(dir);
}

/** `ctx` needs only the manifest, repository, environment and signal: a ServiceContext will do. */
export async function pullAsNode(
  ctx: Pick<ServiceContext, 'manifest' | 'repository' | 'env' | 'signal'>,
  digest: string,
  opts: PullAsNodeOptions,
): Promise<NodePullOutcome> {
  const reference = `${ctx.manifest.registry.host}/${ctx.repository}@${digest}`;
  if (!existsSync(opts.address)) {
    return {
      status: 'no-containerd',
      detail: `no containerd socket at ${opts.address}`,
      hint: 'start containerd, or name its socket with --containerd SOCK',
      reference,
    };
  }
  if (!existsSync(opts.hostsDir)) {
    return {
      status: 'no-hosts-dir',
      detail: `hosts directory ${opts.hostsDir} does not exist`,
      hint: `write it first: imagefleet cluster-config --for containerd --out ${opts.hostsDir}`,
      reference,
    };
  }
  const ctr = opts.ctr ?? ctx.env['IMAGEFLEET_CTR'] ?? 'ctr';
  const args = [
    '--connect-timeout',
    '5s',
    ...ctrPullArgs(reference, {
      hostsDir: resolveHostsDir(opts.hostsDir),
      namespace: opts.namespace,
      address: opts.address,
    }),
  ];
  const res = await runCommand(ctr, args, { timeoutMs: opts.timeoutMs ?? 120_000, signal: ctx.signal });
  if (res.exitCode === null || res.timedOut) {
    // ctr did not finish: not found, timed out, interrupted. Its own words if it said any.
    const said = res.stderr.trim().split('\n').at(-1) ?? '';
    return {
      status: 'failed',
      detail: [res.reason, said].filter(Boolean).join(': '),
      hint: 'is ctr installed and containerd answering?',
      reference,
    };
  }
  return { ...nodePullResult(res.exitCode, res.stderr), reference };
}
