/**
 * The push executor: every `push` task of an invocation (`nx run-many`, `nx affected`,
 * `nx run svc:push` with the bases it depends on) in this one process, through the pipeline's
 * run over many services. Each task's result is reported the moment its service ends, its Nx
 * status read from the outcome table; the summary table comes at the end.
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
import { OUTCOME_TABLE, renderCsv, renderTable } from '@imagefleet/report';
import {
  createTerminal,
  jobsOf,
  openBatch,
  singleTaskGraph,
  type BatchTaskResult,
  type ExecutorOptions,
} from './batch.js';
import { invocationRunId } from './invocation.js';

export function pushBatch(
  taskGraph: TaskGraph,
  inputs: Record<string, ExecutorOptions>,
  _overrides: unknown,
  context: ExecutorContext,
): AsyncGenerator<BatchTaskResult> {
  return runPushes(taskGraph, inputs, context);
}

/** One task per process (`--batch=false`): the tasks of one Nx invocation still share one run. */
export async function pushExecutor(options: ExecutorOptions, context: ExecutorContext): Promise<{ success: boolean }> {
  const graph = singleTaskGraph(context);
  let success = false;
  const runId = await invocationRunId(process.env);
  for await (const r of runPushes(graph, { [Object.keys(graph.tasks)[0]!]: options }, context, runId))
    success = r.result.success;
  return { success };
}

async function* runPushes(
  taskGraph: TaskGraph,
  inputs: Record<string, ExecutorOptions>,
  context: ExecutorContext,
  runId?: string,
): AsyncGenerator<BatchTaskResult> {
  const batch = await openBatch(taskGraph, inputs, context);
  const terminal = createTerminal();
  const interrupt = listenForInterrupt();
  const ended: ServiceEnd[] = [];
  try {
    const { asNode, containerd, nodeNamespace } = batch.options;
    const ends = pushServices(batch.manifest, batch.services, {
      env: process.env,
      signal: interrupt.signal,
      jobs: jobsOf(batch),
      say: terminal.say,
      ...(runId ? { runId } : {}),
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
      ended.push(end);
      // A row that is not on disk fails its task, whatever the service did: the run must say so.
      const status = end.unrecorded ? 'failure' : OUTCOME_TABLE[end.outcome.kind].nx;
      yield terminal.result(batch.taskOf(end.service), end.service, status);
    }
  } finally {
    interrupt.dispose();
  }
  const rows = ended.map((e) => e.row);
  const tag = batch.manifest.services[0]?.tags[0] ?? 'dev';
  const csv = relative(process.cwd(), join(workspacePaths(batch.manifest).logs, `build-summary-${tag}.csv`));
  const unrecorded = ended.filter((e) => e.unrecorded);
  if (!unrecorded.length) {
    process.stdout.write(`\n${renderTable(rows)}\nsummary: ${csv}\n`);
    return;
  }
  // The summary files are not (all) on disk: what this run did goes to the terminal instead.
  process.stdout.write(`\n${renderTable(rows)}\n`);
  process.stderr.write(
    `imagefleet: ${unrecorded.length} row(s) could not be written (${unrecorded[0]!.unrecorded}); ${csv} may be missing them. This run's rows and digest pins follow.\n`,
  );
  process.stdout.write(await renderCsv(rows));
  for (const { pin } of ended) if (pin) process.stdout.write(`pin ${pin.service} ${pin.pin.ref}\n`);
}
