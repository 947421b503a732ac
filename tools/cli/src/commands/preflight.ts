import { loadManifest } from '@imagefleet/manifest';
import { createRunRegistry, preflightRegistry } from '@imagefleet/pipeline';

export async function preflightCommand(manifestFile: string): Promise<number> {
  const manifest = await loadManifest(manifestFile);
  const outcome = await preflightRegistry({ manifest, registry: createRunRegistry(manifest, process.env) });
  if (!outcome.ok) {
    process.stderr.write(`preflight: ${outcome.detail}\n`);
    return 1;
  }
  process.stdout.write(`preflight: ${manifest.registry.pushHost} answers and accepts this machine's pushes\n`);
  return 0;
}
