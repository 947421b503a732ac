/**
 * Digest pins into GitOps values files: `image.ref: <host>/<ns>/<svc>@sha256:…`, written only
 * for a digest that verifies in the registry right now (every manifest and blob), keeping the
 * file's comments, key order and formatting (yaml's Document API edits the node in place).
 */
import { readFile } from 'node:fs/promises';
import { parseDocument, isMap, isScalar } from 'yaml';
import { writeFileAtomic } from '@imagefleet/report';
import type { Manifest, ServiceSpec } from '@imagefleet/manifest';
import type { DigestPin, RunRegistry } from '@imagefleet/pipeline';

export interface PinOutcome {
  service: string;
  file: string;
  ref: string;
  status: 'pinned' | 'already' | 'refused';
  detail: string;
}

/** Check the pin against the registry, then set `path` (dotted) in `file` to the pinned reference. */
export async function pinValuesFile(
  manifest: Manifest,
  service: ServiceSpec,
  pin: DigestPin | undefined,
  file: string,
  path: string,
  registry: RunRegistry,
): Promise<PinOutcome> {
  const base = { service: service.name, file, ref: pin?.ref ?? '' };
  if (!pin)
    return {
      ...base,
      status: 'refused',
      detail: `no verified digest for ${service.name} in artifacts/image-digests.json: push it first`,
    };
  const repo = `${manifest.registry.namespace}/${service.name}`;
  const result = await registry.push.verify(repo, pin.digest);
  if (result.status !== 'verified') {
    return {
      ...base,
      status: 'refused',
      detail: `refusing to pin ${service.name} to ${pin.digest}: ${result.status}: ${result.detail}`,
    };
  }
  const text = await readFile(file, 'utf8');
  const doc = parseDocument(text);
  if (doc.errors.length)
    return { ...base, status: 'refused', detail: `${file}: not valid YAML (${doc.errors[0]!.message.split('\n')[0]})` };
  if (doc.contents !== null && !isMap(doc.contents))
    return { ...base, status: 'refused', detail: `${file}: the top level is not a mapping` };
  const keys = path.split('.');
  if (doc.getIn(keys) === pin.ref) return { ...base, status: 'already', detail: `${path} already ${pin.ref}` };
  await writeFileAtomic(file, replaceValue(text, doc, keys, pin.ref));
  return { ...base, status: 'pinned', detail: `${path}: ${pin.ref}` };
}

/**
 * Replace just the scalar's characters in the source, so every other byte of the file — comment
 * spacing, quoting, blank lines — stays as it was. A path that does not exist yet is added
 * through the Document API (which re-renders the file in yaml's style).
 */
function replaceValue(text: string, doc: ReturnType<typeof parseDocument>, keys: string[], value: string): string {
  const node = doc.getIn(keys, true);
  if (isScalar(node) && node.range) {
    const [start, end] = node.range;
    const quote = node.type === 'QUOTE_DOUBLE' ? '"' : node.type === 'QUOTE_SINGLE' ? "'" : '';
    return `${text.slice(0, start)}${quote}${value}${quote}${text.slice(end)}`;
  }
  doc.setIn(keys, value);
  return doc.toString();
}
