/** The verify executor: the registry check of every manifest and blob, no build (every `verify` task of an invocation in one process). */
import type { ExecutorContext, TaskGraph } from '@nx/devkit';
import { verifyServices } from '@imagefleet/pipeline';
import { createTerminal, openBatch, singleTaskGraph, type BatchTaskResult, type ExecutorOptions } from './batch.js';

export async function* verifyBatch(
  taskGraph: TaskGraph,
  inputs: Record<string, ExecutorOptions>,
  _overrides: unknown,
  context: ExecutorContext,
): AsyncGenerator<BatchTaskResult> {
  const batch = await openBatch(taskGraph, inputs, context);
  const terminal = createTerminal();
  for await (const check of verifyServices(batch.manifest, batch.services, { env: process.env })) {
    const ok = check.status === 'verified';
    terminal.say(
      check.service,
      ok
        ? `verified ${check.digest} through ${check.host} (${check.detail})`
        : `${check.status} through ${check.host}: ${check.detail}`,
    );
    yield terminal.result(batch.taskOf(check.service), check.service, ok ? 'success' : 'failure');
  }
}

export async function verifyExecutor(
  options: ExecutorOptions,
  context: ExecutorContext,
): Promise<{ success: boolean }> {
  const graph = singleTaskGraph(context);
  let success = false;
  for await (const r of verifyBatch(graph, { [Object.keys(graph.tasks)[0]!]: options }, {}, context))
    success = r.result.success;
  return { success };
}
