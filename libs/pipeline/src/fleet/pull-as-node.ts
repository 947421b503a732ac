/**
 * `verify --as-node`: after the registry check, pull every verified image as a node does. An
 * image the registry does not verify is not pulled (its registry status already says why).
 */
import type { Manifest } from '@imagefleet/manifest';
import pLimit from 'p-limit';
import { createRunContext, findService, serviceContext } from '../service/context.js';
import { pullAsNode, type NodePullOutcome, type PullAsNodeOptions } from '../service/node-pull.js';
import { newRunId } from '../run-id.js';
import type { ServiceCheck } from './verify.js';

export type NodeCheck = NodePullOutcome | { status: 'not-verified'; detail: string; hint: string; reference: string };

export async function pullVerifiedAsNode(
  manifest: Manifest,
  checks: readonly ServiceCheck[],
  opts: PullAsNodeOptions & { env: NodeJS.ProcessEnv; signal?: AbortSignal },
): Promise<Map<string, NodeCheck>> {
  const run = createRunContext(manifest, {
    runId: newRunId(),
    env: opts.env,
    signal: opts.signal ?? new AbortController().signal,
  });
  // A node pulls a few images at once; so do we (ctr itself fetches layers in parallel).
  const limit = pLimit(3);
  const entries = await Promise.all(
    checks.map((check) =>
      limit(async (): Promise<[string, NodeCheck]> => {
        if (check.status !== 'verified') {
          return [
            check.service,
            { status: 'not-verified', detail: 'not pulled: the registry check failed', hint: '', reference: '' },
          ];
        }
        const ctx = serviceContext(run, findService(manifest, check.service));
        return [check.service, await pullAsNode(ctx, check.digest, opts)];
      }),
    ),
  );
  return new Map(entries);
}
