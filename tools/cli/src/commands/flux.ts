/**
 * `imagefleet flux --out DIR`: write the Flux image automation objects that follow the tag
 * templates. `imagefleet flux check`: list each service's tags from the registry Flux scans
 * (the reference host, or the push host when this machine cannot reach it: one registry
 * behind both names), apply the generated policy as Flux does, and exit non-zero with one
 * line per service unless Flux would select what this machine last pushed and verified.
 */
import { mkdir } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { loadManifest } from '@imagefleet/manifest';
import { checkFluxSelection, fluxResources, tagScheme, FLUX_IMAGE_API } from '@imagefleet/gitops';
import { createRunRegistry, readDigestPins, workspacePaths } from '@imagefleet/pipeline';
import { RegistryError } from '@imagefleet/registry';
import { writeFileAtomic } from '@imagefleet/report';
import { UsageError } from '../usage-error.js';

export async function fluxCommand(
  manifestFile: string,
  rest: string[],
  opts: { out: string | undefined; json: boolean },
): Promise<number> {
  const [sub, ...extra] = rest;
  if (extra.length || (sub !== undefined && sub !== 'check'))
    throw new UsageError(`flux takes "check" or --out DIR, got "${rest.join(' ')}"`);
  if (sub === 'check') return fluxCheck(manifestFile, opts.json);
  if (!opts.out) throw new UsageError('flux needs --out DIR (or: flux check)');
  const manifest = await loadManifest(manifestFile);
  const { files, unfollowed } = fluxResources(manifest);
  const dir = resolve(opts.out);
  await mkdir(dir, { recursive: true });
  for (const [name, text] of Object.entries(files)) await writeFileAtomic(join(dir, name), text);
  process.stdout.write(
    `wrote ${Object.keys(files).length} file(s) (${FLUX_IMAGE_API}) under ${relative(process.cwd(), dir) || '.'}\n`,
  );
  for (const name of unfollowed)
    process.stdout.write(`flux: ${name}: no tag template sorts ({timestamp} or {runId}): no ImagePolicy\n`);
  return 0;
}

async function fluxCheck(manifestFile: string, json: boolean): Promise<number> {
  const manifest = await loadManifest(manifestFile);
  const pins = await readDigestPins(workspacePaths(manifest).digests);
  const registry = createRunRegistry(manifest, process.env);
  const reference = await registry.reference();
  const client = reference.status === 'reachable' ? reference.client : registry.push;
  if (reference.status === 'not-checked')
    process.stderr.write(`flux check: tags listed through ${manifest.registry.pushHost} (${reference.reason})\n`);
  const results = [];
  for (const service of manifest.services) {
    const repo = `${manifest.registry.namespace}/${service.name}`;
    const tags = await client.listTags(repo).catch((error: unknown) => {
      if (error instanceof RegistryError && error.code === 'NAME_UNKNOWN') return [];
      throw error;
    });
    const check = await checkFluxSelection({
      service: service.name,
      scheme: tagScheme(service, manifest.flux),
      tags,
      pin: pins[service.name],
      digestOf: async (tag) => (await client.headManifest(repo, tag))?.digest ?? null,
    });
    results.push({ service: service.name, ...check });
    if (!json) (check.status === 'failed' ? process.stderr : process.stdout).write(`${check.line}\n`);
  }
  if (json) process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
  const followed = results.filter((r) => r.status !== 'unfollowed');
  if (!followed.length) {
    process.stderr.write('flux check: no service has a tag template that sorts: nothing for Flux to follow\n');
    return 1;
  }
  return followed.some((r) => r.status === 'failed') ? 1 : 0;
}
