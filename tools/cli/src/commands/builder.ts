/**
 * `imagefleet builder ensure`: the named buildx builder of `builder.create`, created when
 * missing, recreated when it does not bootstrap, left alone when healthy; one line says which.
 */
import { ensureBuilder } from '@imagefleet/buildkit';
import { loadManifest } from '@imagefleet/manifest';
import { runCommand } from '@imagefleet/process';
import { UsageError } from '../usage-error.js';

/** Creating a kubernetes builder waits for its pods. */
const DOCKER_TIMEOUT_MS = 180_000;

export async function builderCommand(manifestFile: string, rest: string[]): Promise<number> {
  if (rest.length !== 1 || rest[0] !== 'ensure') throw new UsageError('builder takes one subcommand: ensure');
  const manifest = await loadManifest(manifestFile);
  const { name, create, docker } = manifest.builder;
  if (!name || !create)
    throw new UsageError(
      `builder ensure needs builder.name and builder.create in ${manifest.file} (driver: remote|docker-container|kubernetes)`,
    );
  const outcome = await ensureBuilder(docker, name, create, async (cmd) => {
    const res = await runCommand(cmd.file, cmd.args, { env: cmd.env, timeoutMs: DOCKER_TIMEOUT_MS });
    return { ok: res.ok, output: `${res.stdout}\n${res.stderr}\n${res.ok ? '' : res.reason}` };
  });
  (outcome.status === 'failed' ? process.stderr : process.stdout).write(`${outcome.line}\n`);
  return outcome.status === 'failed' ? 1 : 0;
}
