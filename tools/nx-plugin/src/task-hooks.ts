/**
 * The plugin's task-execution hooks: thin adapters that hand a push run to the CLI before the
 * first task and after the last (libs/pipeline/src/nx-run.ts says what happens there). Nx runs
 * them in the `nx` process, or in its daemon when that is on; either way they only start the
 * CLI, so the pipeline runs in one place with one way of starting processes.
 */
import { join } from 'node:path';
import type { PostTasksExecution, PreTasksExecution } from '@nx/devkit';
import { runCommand } from '@imagefleet/process';

/** Where the plugin finds the manifest and the CLI, relative to the workspace root. */
const MANIFEST = 'services.manifest.yaml';
const CLI = join('tools', 'cli', 'bin', 'imagefleet.mjs');

/** Cheap test before starting anything: could this command line run a `push` target? */
function mayRunPush(args: string[]): boolean {
  return args.some((a) => a.split(/[,:=]/).includes('push'));
}

export const preTasksExecution: PreTasksExecution = async (_options, context) => {
  const args = context.argv.slice(2);
  if (!mayRunPush(args)) return;
  const result = await runCommand(process.execPath, [CLI, 'nx-hook', 'pre', '--manifest', MANIFEST, '--hook-id', context.id, '--', ...args], {
    cwd: context.workspaceRoot,
    onLine: (line, stream) => {
      if (stream === 'stderr') process.stderr.write(`${line}\n`);
    },
  });
  const last = result.stdout.trim().split('\n').pop() ?? '';
  if (!result.ok || !last.startsWith('{')) {
    // Only speed is lost: every push task then checks the registry itself.
    process.stderr.write(`imagefleet: the pre-tasks check did not finish (${result.reason || 'no answer'}); every task checks its own image\n`);
    return;
  }
  // Nx passes what the hook sets in process.env on to every task (and into task hashes).
  for (const [key, value] of Object.entries(JSON.parse(last) as Record<string, string>)) process.env[key] = value;
};

export const postTasksExecution: PostTasksExecution = async (_options, context) => {
  const pushTasks = Object.values(context.taskResults)
    .filter((r) => r.task.target.target === 'push')
    .map((r) => r.task.target.project);
  if (!pushTasks.length) return;
  await runCommand(process.execPath, [CLI, 'nx-hook', 'post', '--manifest', MANIFEST, '--hook-id', context.id, '--projects', pushTasks.join(',')], {
    cwd: context.workspaceRoot,
    onLine: (line) => process.stdout.write(`${line}\n`),
  });
};
