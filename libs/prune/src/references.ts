/**
 * What must survive a prune besides the current tags: the digest pins of
 * `artifacts/image-digests.json` and the images GitOps values files name
 * (`--values 'gitops/{service}/values.yaml' --path image.ref`). A values file that names an image
 * by tag protects whatever that tag points to when the registry is asked.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { relative, resolve } from 'node:path';
import { parseDocument } from 'yaml';
import { parseReference, InvalidReferenceError } from '@imagefleet/registry';
import type { Manifest, ServiceSpec } from '@imagefleet/manifest';
import type { DigestPins } from '@imagefleet/pipeline';

/**
 * What the GitOps side keeps, given by the caller (libs/gitops through the CLI: prune sits beside
 * gitops, not above it): what each service's Flux policy selects, and what setter markers name.
 */
export interface GitOpsKeeps {
  /** Digest → why, for what the service's Flux policy selects among `tags` (tag → digest). */
  selected(service: ServiceSpec, tags: Record<string, string>): Record<string, string>;
  /** Per service, the tags and digests the setter markers in a values file name. @throws on a file that is not YAML */
  marked(text: string, file: string): Map<string, Protected>;
}

export interface ValuesOption {
  /** Values file, relative to the workspace root; may contain `{service}`. */
  file: string;
  /** Dotted path of the image reference in it. @example 'image.ref' */
  path: string;
}

/** One service's protected images: digest → why, and tags → why (resolved against the registry later). */
export interface Protected {
  digests: Record<string, string>;
  tags: Record<string, string>;
}

/** Per service name. A values file that cannot be read or names no image is an error: nothing is deleted on a guess. */
export async function protectedImages(
  manifest: Manifest,
  services: readonly ServiceSpec[],
  pins: DigestPins,
  values: ValuesOption | undefined,
  gitops?: GitOpsKeeps,
): Promise<Map<string, Protected>> {
  const out = new Map<string, Protected>(services.map((s) => [s.name, { digests: {}, tags: {} }]));
  for (const service of services) {
    const pin = pins[service.name];
    if (pin?.digest) out.get(service.name)!.digests[pin.digest] = 'pinned in artifacts/image-digests.json';
  }
  if (!values) return out;
  const templated = values.file.includes('{service}');
  const files = templated ? services.map((s) => values.file.replaceAll('{service}', s.name)) : [values.file];
  for (const rel of new Set(files)) {
    const file = resolve(manifest.root, rel);
    if (!existsSync(file)) {
      if (templated) continue; // not every service has a values file
      throw new Error(`--values ${rel}: no such file`);
    }
    const text = await readFile(file, 'utf8');
    const ref = readReference(file, text, values.path);
    const name = relative(manifest.root, file);
    const marked = gitops?.marked(text, name) ?? new Map<string, Protected>();
    for (const [service, found] of marked) {
      const entry = out.get(service);
      if (!entry) continue; // a service this prune does not cover
      Object.assign(entry.digests, found.digests);
      Object.assign(entry.tags, found.tags);
    }
    if (ref === undefined && marked.size) continue;
    if (ref === undefined) throw new Error(`${name}: no image reference at ${values.path}: fix --path, or the file`);
    let parsed;
    try {
      parsed = parseReference(ref);
    } catch (error) {
      if (error instanceof InvalidReferenceError) throw new Error(`${name}: ${values.path}: ${error.message}`);
      throw error;
    }
    const service = services.find((s) => parsed.repository === `${manifest.registry.namespace}/${s.name}`);
    if (!service) continue; // an image of another repository: not ours to prune
    const entry = out.get(service.name)!;
    if (parsed.digest) entry.digests[parsed.digest] = `referenced by ${name}`;
    else entry.tags[parsed.tag ?? 'latest'] = `referenced by ${name}`;
  }
  return out;
}

function readReference(file: string, text: string, path: string): string | undefined {
  const doc = parseDocument(text);
  if (doc.errors.length) throw new Error(`${file}: not valid YAML (${doc.errors[0]!.message.split('\n')[0]})`);
  const value: unknown = doc.getIn(path.split('.'));
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}
