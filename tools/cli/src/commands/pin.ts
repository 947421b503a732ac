/**
 * `imagefleet pin --values 'gitops/{service}/values.yaml' [--path image.ref] [--digest] [--projects a,b]`:
 * write each service's verified digest pin and newest verified tag into its values file (`--path`,
 * and the Flux setter markers naming its policy). Non-zero when any pin is refused.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { loadManifest } from '@imagefleet/manifest';
import { pinValuesFile } from '@imagefleet/gitops';
import { createRunRegistry, findService, readDigestPins, workspacePaths } from '@imagefleet/pipeline';

export async function pinCommand(
  manifestFile: string,
  opts: { values: string; path: string | undefined; digest: boolean; projects?: string[] | undefined },
): Promise<number> {
  const manifest = await loadManifest(manifestFile);
  const pins = await readDigestPins(workspacePaths(manifest).digests);
  const templated = opts.values.includes('{service}');
  const services = opts.projects?.length ? opts.projects.map((n) => findService(manifest, n)) : manifest.services;
  if (!templated && services.length !== 1) {
    throw new Error(`--values ${opts.values}: name one service with --projects, or use {service} in the path`);
  }
  const registry = createRunRegistry(manifest, process.env);
  let refused = 0;
  for (const service of services) {
    const file = resolve(manifest.root, opts.values.replaceAll('{service}', service.name));
    if (!existsSync(file)) {
      if (templated && !opts.projects?.length) continue; // not every service has a values file
      process.stderr.write(`pin: ${file}: no such values file\n`);
      refused += 1;
      continue;
    }
    const target = { file, path: opts.path ?? null, withDigest: opts.digest };
    const outcome = await pinValuesFile(manifest, service, pins[service.name], target, registry);
    if (outcome.status === 'refused') refused += 1;
    (outcome.status === 'refused' ? process.stderr : process.stdout).write(
      `pin: ${service.name}: ${outcome.status}: ${outcome.detail}\n`,
    );
  }
  return refused ? 1 : 0;
}
