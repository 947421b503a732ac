/** The image executor: build images locally, nothing pushed (every `image` task of an invocation in one process). */
import type { ExecutorContext, TaskGraph } from '@nx/devkit';
import { buildServices, listenForInterrupt } from '@imagefleet/pipeline';
import { OUTCOME_TABLE } from '@imagefleet/report';
import {
  createTerminal,
  jobsOf,
  openBatch,
  singleTaskGraph,
  type BatchTaskResult,
  type ExecutorOptions,
} from './batch.js';

export async function* imageBatch(
  taskGraph: TaskGraph,
  inputs: Record<string, ExecutorOptions>,
  _overrides: unknown,
  context: ExecutorContext,
): AsyncGenerator<BatchTaskResult> {
  const batch = await openBatch(taskGraph, inputs, context);
  const terminal = createTerminal();
  const interrupt = listenForInterrupt();
  try {
    for await (const end of buildServices(batch.manifest, batch.services, {
      env: process.env,
      signal: interrupt.signal,
      jobs: jobsOf(batch),
      say: terminal.say,
    })) {
      yield terminal.result(batch.taskOf(end.service), end.service, OUTCOME_TABLE[end.outcome.kind].nx);
    }
  } finally {
    interrupt.dispose();
  }
}

export async function imageExecutor(options: ExecutorOptions, context: ExecutorContext): Promise<{ success: boolean }> {
  const graph = singleTaskGraph(context);
  let success = false;
  for await (const r of imageBatch(graph, { [Object.keys(graph.tasks)[0]!]: options }, {}, context))
    success = r.result.success;
  return { success };
}
