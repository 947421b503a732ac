/**
 * The push executor: every `push` task of an invocation (`nx run-many`, `nx affected`,
 * `nx run svc:push` with the bases it depends on) in this one process, through the pipeline's
 * run over many services. Each task's result is reported the moment its service ends; the
 * summary table comes at the end.
 */
import { join, relative, resolve } from 'node:path';
import type { ExecutorContext, TaskGraph } from '@nx/devkit';
import {
  DEFAULT_CONTAINERD_ADDRESS,
  DEFAULT_NODE_NAMESPACE,
  listenForInterrupt,
  pushServices,
  resolveHostsDir,
  workspacePaths,
  type ServiceEnd,
} from '@imagefleet/pipeline';
import { renderTable } from '@imagefleet/report';
import { writeReview } from './review.js';
import {
  createTerminal,
  jobsOf,
  openBatch,
  singleTaskGraph,
  type BatchTaskResult,
  type ExecutorOptions,
} from './batch.js';

const STATUS: Record<ServiceEnd['outcome'], BatchTaskResult['result']['status']> = {
  ok: 'success',
  failed: 'failure',
  skipped: 'skipped',
  interrupted: 'stopped',
};

export async function* pushBatch(
  taskGraph: TaskGraph,
  inputs: Record<string, ExecutorOptions>,
  _overrides: unknown,
  context: ExecutorContext,
): AsyncGenerator<BatchTaskResult> {
  const batch = await openBatch(taskGraph, inputs, context);
  const terminal = createTerminal();
  const interrupt = listenForInterrupt();
  const rows = [];
  try {
    const { asNode, containerd, nodeNamespace } = batch.options;
    const ends = pushServices(batch.manifest, batch.services, {
      env: process.env,
      signal: interrupt.signal,
      jobs: jobsOf(batch),
      say: terminal.say,
      onRunEnd: (run) => writeReview(batch.manifest, run, terminal.say),
      ...(asNode
        ? {
            asNode: {
              hostsDir: resolveHostsDir(resolve(context.root, asNode)),
              address: containerd ?? DEFAULT_CONTAINERD_ADDRESS,
              namespace: nodeNamespace ?? DEFAULT_NODE_NAMESPACE,
            },
          }
        : {}),
    });
    for await (const end of ends) {
      rows.push(end.row);
      yield {
        task: batch.taskOf(end.service),
        result: { success: end.ok, status: STATUS[end.outcome], terminalOutput: terminal.output(end.service) },
      };
    }
  } finally {
    interrupt.dispose();
  }
  const tag = batch.manifest.services[0]?.tags[0] ?? 'dev';
  const csv = relative(process.cwd(), join(workspacePaths(batch.manifest).logs, `build-summary-${tag}.csv`));
  process.stdout.write(`\n${renderTable(rows)}\nsummary: ${csv}\n`);
}

export async function pushExecutor(options: ExecutorOptions, context: ExecutorContext): Promise<{ success: boolean }> {
  const graph = singleTaskGraph(context);
  let success = false;
  for await (const r of pushBatch(graph, { [Object.keys(graph.tasks)[0]!]: options }, {}, context))
    success = r.result.success;
  return { success };
}
