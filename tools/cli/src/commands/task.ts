/** `imagefleet image|push <service>`: what the Nx targets run, one service per process (push builds first when needed). */
import { loadServiceContext, runImageTask, runServiceTask } from '@imagefleet/pipeline';

export async function imageCommand(manifestFile: string, service: string, signal: AbortSignal): Promise<number> {
  const ctx = await loadServiceContext(manifestFile, service, { signal });
  const outcome = await runImageTask(ctx);
  return exitCode(outcome.ok, signal);
}

export async function pushCommand(manifestFile: string, service: string, signal: AbortSignal): Promise<number> {
  const ctx = await loadServiceContext(manifestFile, service, { signal });
  const outcome = await runServiceTask(ctx);
  return exitCode(outcome.ok, signal);
}

function exitCode(ok: boolean, signal: AbortSignal): number {
  if (signal.aborted) return 130;
  return ok ? 0 : 1;
}
