/**
 * Digest pins into GitOps values files: `image.ref: <host>/<ns>/<svc>@sha256:…`, and every Flux
 * setter marker that names the service's policy (`{"$imagepolicy": "<ns>:<svc>[:tag|:name|:digest]"}`)
 * set to the newest verified tag, written only for a digest that verifies in the registry right
 * now (every manifest and blob), keeping the file's comments, key order and formatting.
 */
import { readFile } from 'node:fs/promises';
import { parseDocument, isMap, isScalar } from 'yaml';
import { writeFileAtomic } from '@imagefleet/report';
import type { Manifest, ServiceSpec } from '@imagefleet/manifest';
import type { DigestPin, RunRegistry } from '@imagefleet/pipeline';
import { findMarkers, rewriteMarkers } from './markers.js';
import { policyName } from './resources.js';

export interface PinOutcome {
  service: string;
  file: string;
  ref: string;
  status: 'pinned' | 'already' | 'refused';
  detail: string;
}

export interface PinTarget {
  file: string;
  /** The dotted path to set to the digest reference; null: only the markers, or `image.ref` when the file has none. */
  path: string | null;
  /** Image markers get `name:tag@digest` rather than `name:tag`. */
  withDigest: boolean;
}

/** Check the pin against the registry, then rewrite the service's markers and set `path` in `file`. */
export async function pinValuesFile(
  manifest: Manifest,
  service: ServiceSpec,
  pin: DigestPin | undefined,
  target: PinTarget,
  registry: RunRegistry,
): Promise<PinOutcome> {
  const { file } = target;
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
  const original = await readFile(file, 'utf8');
  const policy = policyName(manifest, service.name);
  const image = {
    name: `${manifest.registry.host}/${repo}`,
    tag: pin.version || (pin.tags[0]?.slice(pin.tags[0].lastIndexOf(':') + 1) ?? ''),
    digest: pin.digest,
    withDigest: target.withDigest,
  };
  const marked = rewriteMarkers(original, { [policy]: image });
  if ('error' in marked) return { ...base, status: 'refused', detail: `${file}: ${marked.error}` };
  const found = findMarkers(original);
  const hasMarkers = Array.isArray(found) && found.some((m) => m.policy === policy);
  const said = marked.changes.map((c) => `line ${c.line} ${c.field === 'image' ? '' : `${c.field} `}${c.to}`);
  const path = target.path ?? (hasMarkers ? null : 'image.ref');
  let text = marked.text;
  if (path !== null) {
    const doc = parseDocument(text);
    if (doc.errors.length)
      return {
        ...base,
        status: 'refused',
        detail: `${file}: not valid YAML (${doc.errors[0]!.message.split('\n')[0]})`,
      };
    if (doc.contents !== null && !isMap(doc.contents))
      return { ...base, status: 'refused', detail: `${file}: the top level is not a mapping` };
    const keys = path.split('.');
    if (doc.getIn(keys) !== pin.ref) {
      text = replaceValue(text, doc, keys, pin.ref);
      said.unshift(`${path}: ${pin.ref}`);
    }
  }
  if (text === original)
    return {
      ...base,
      status: 'already',
      detail: `${path ?? `markers of ${policy}`} already ${path ? pin.ref : `${image.name}:${image.tag}`}`,
    };
  await writeFileAtomic(file, text);
  return { ...base, status: 'pinned', detail: said.join('; ') };
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
