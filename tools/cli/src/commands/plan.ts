/** `imagefleet plan [--affected --base REF]`: which services a run would cover, and why. Builds nothing. */
import { loadManifest } from '@imagefleet/manifest';
import { selectServices, type RunOptions } from './run.js';

export async function planCommand(manifestFile: string, opts: RunOptions & { json: boolean }): Promise<number> {
  const manifest = await loadManifest(manifestFile);
  const selected = await selectServices(manifest, opts);
  if (opts.json) process.stdout.write(`${JSON.stringify(selected, null, 2)}\n`);
  else {
    const width = Math.max(7, ...selected.map((s) => s.service.length));
    for (const s of selected) process.stdout.write(`${s.service.padEnd(width)}  ${s.reason}\n`);
    process.stdout.write(`${selected.length} service(s)\n`);
  }
  return 0;
}
