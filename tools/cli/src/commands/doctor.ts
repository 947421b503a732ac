/** `imagefleet doctor [--as-node DIR]`: every check, one line each, the fix on each problem; 0 only when all pass. */
import { loadManifest } from '@imagefleet/manifest';
import { formatDoctor, runDoctor } from '@imagefleet/doctor';
import type { NodeOptions } from './verify.js';

export async function doctorCommand(
  manifestFile: string,
  opts: { asNode: NodeOptions | undefined; json: boolean },
): Promise<number> {
  const manifest = await loadManifest(manifestFile);
  const checks = await runDoctor(manifest, { env: process.env, asNode: opts.asNode });
  process.stdout.write(opts.json ? `${JSON.stringify(checks, null, 2)}\n` : formatDoctor(checks));
  return checks.every((c) => c.ok) ? 0 : 1;
}
