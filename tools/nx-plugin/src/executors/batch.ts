/**
 * What the three executors share: the tasks of a batch as services (an Nx project is a service,
 * by name), the options, each task's result as Nx reads it, and a terminal that shows every
 * line once, as it comes.
 */
import { join } from 'node:path';
import { availableParallelism } from 'node:os';
import type { ExecutorContext, TaskGraph } from '@nx/devkit';
import { loadManifest, type Manifest } from '@imagefleet/manifest';
import type { NxTaskStatus } from '@imagefleet/report';
import { jobsOption } from './jobs.js';

export interface ExecutorOptions {
  /** services.manifest.yaml, relative to the workspace root. */
  manifest?: string;
  /** Builds at once (push, image): a whole number, 1 or more (`jobsOption`). */
  jobs?: number | string;
  /** push: pull each verified image as a node does, through this hosts.toml directory. */
  asNode?: string;
  containerd?: string;
  nodeNamespace?: string;
}

export const MANIFEST = 'services.manifest.yaml';

/** Nx's result of one task, as its batch runner reads it. */
export interface BatchTaskResult {
  task: string;
  result: { success: boolean; status: NxTaskStatus; terminalOutput: string };
}

export interface Batch {
  manifest: Manifest;
  /** Service names, one per task. */
  services: string[];
  taskOf(service: string): string;
  options: ExecutorOptions;
}

export async function openBatch(
  taskGraph: TaskGraph,
  inputs: Record<string, ExecutorOptions>,
  context: ExecutorContext,
): Promise<Batch> {
  const tasks = Object.values(taskGraph.tasks);
  const options = inputs[tasks[0]!.id] ?? {};
  jobsOption(options.jobs);
  const manifest = await loadManifest(join(context.root, options.manifest ?? MANIFEST));
  const byService = new Map(tasks.map((t) => [t.target.project, t.id]));
  return { manifest, services: [...byService.keys()], taskOf: (service) => byService.get(service)!, options };
}

/** The batch of a single task, for `--batch=false` (NX_BATCH_MODE=false): the same code with one task. */
export function singleTaskGraph(context: ExecutorContext): TaskGraph {
  const id = `${context.projectName}:${context.targetName}`;
  const task = {
    id,
    target: { project: context.projectName!, target: context.targetName! },
    overrides: {},
    outputs: [],
    parallelism: true,
  };
  return {
    roots: [id],
    tasks: { [id]: task },
    dependencies: { [id]: [] },
    continuousDependencies: { [id]: [] },
  } as unknown as TaskGraph;
}

/** Builds at once: the executor's `jobs`, else the manifest's `concurrency.build`, else one per core (the seed script's JOBS=$(nproc)). */
export function jobsOf(batch: Batch): number {
  return jobsOption(batch.options.jobs) ?? batch.manifest.concurrency.build ?? availableParallelism();
}

export interface Terminal {
  say(service: string, text: string): void;
  /** A task's result with its status (from the outcome table) and what Nx should show as its output. */
  result(task: string, service: string, status: NxTaskStatus): BatchTaskResult;
}

/**
 * Every line goes to stdout as it comes; Nx streams the batch process's stdout to the terminal
 * (or, under GitHub Actions log grouping, into one fold). Nx also prints each task's
 * `terminalOutput` again under `> nx run svc:push` — in full for a failed task and with
 * `--output-style=static` — so outside the TUI that is empty: each line is printed once. The
 * TUI shows a task's pane from its `terminalOutput` alone, so there it holds the service's lines.
 */
export function createTerminal(
  env: NodeJS.ProcessEnv = process.env,
  write: (text: string) => void = (text) => process.stdout.write(text),
): Terminal {
  const lines = new Map<string, string[]>();
  const tui = env['NX_TUI'] === 'true';
  return {
    say(service, text) {
      const line = `[${service}] ${text}`;
      write(`${line}\n`);
      if (!tui) return;
      let own = lines.get(service);
      if (!own) lines.set(service, (own = []));
      own.push(line);
    },
    result: (task, service, status) => ({
      task,
      result: {
        success: status === 'success',
        status,
        terminalOutput: (lines.get(service) ?? []).map((l) => `${l}\n`).join(''),
      },
    }),
  };
}
