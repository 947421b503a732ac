/**
 * Flux setter markers, rewritten the way the image-automation-controller does
 * (internal/update/setters.go): a scalar whose line comment is `{"$imagepolicy": "<ns>:<policy>"}`
 * gets the policy's image (`name:tag`, or `name:tag@digest` when the digest is reflected);
 * `…:tag`, `…:name` and `…:digest` get that part alone. Only the marked scalar's characters
 * change — comments, anchors, quoting, key order and every other byte stay — and a comment that
 * is not a marker, or names a policy not given, is left alone.
 */
import { isScalar, parseAllDocuments, visit, type Scalar } from 'yaml';

export type MarkerField = 'image' | 'tag' | 'name' | 'digest';

export interface Marker {
  /** `<namespace>:<policy>` */
  policy: string;
  field: MarkerField;
  /** The value now. */
  value: string;
  /** 1-based. */
  line: number;
  range: [number, number];
  quote: '' | '"' | "'";
}

/** What a policy has selected: the image name, tag and digest. */
export interface PolicyImage {
  name: string;
  tag: string;
  /** `sha256:…`, or '' when not reflected. */
  digest: string;
  /** Write `name:tag@digest` for the image marker (Flux does once `digestReflectionPolicy` is set). */
  withDigest: boolean;
}

export interface MarkerChange {
  line: number;
  policy: string;
  field: MarkerField;
  from: string;
  to: string;
}

export function findMarkers(text: string): Marker[] | { error: string } {
  const docs = parseAllDocuments(text);
  if (!Array.isArray(docs)) return [];
  const markers: Marker[] = [];
  for (const doc of docs) {
    if (doc.errors.length) return { error: `not valid YAML (${doc.errors[0]!.message.split('\n')[0]})` };
    visit(doc, {
      Scalar(_, node) {
        const marker = node.comment ? parseMarker(node.comment) : null;
        if (marker && node.range) markers.push({ ...marker, ...where(text, node) });
      },
    });
  }
  return markers;
}

function where(text: string, node: Scalar): Pick<Marker, 'value' | 'line' | 'range' | 'quote'> {
  const [start, end] = node.range!;
  const quote = node.type === 'QUOTE_DOUBLE' ? '"' : node.type === 'QUOTE_SINGLE' ? "'" : '';
  const line = text.slice(0, start).split('\n').length;
  return { value: isScalar(node) ? String(node.value) : '', line, range: [start, end], quote };
}

/** `{"$imagepolicy": "ns:name[:field]"}`; anything else is an ordinary comment. */
export function parseMarker(comment: string): Pick<Marker, 'policy' | 'field'> | null {
  let json: unknown;
  try {
    json = JSON.parse(comment.trim());
  } catch {
    return null;
  }
  const setter = (json as Record<string, unknown> | null)?.['$imagepolicy'];
  if (typeof setter !== 'string') return null;
  const parts = setter.split(':');
  if (parts.length === 2) return { policy: setter, field: 'image' };
  const field = parts[2];
  if (parts.length === 3 && (field === 'tag' || field === 'name' || field === 'digest'))
    return { policy: `${parts[0]}:${parts[1]}`, field };
  return null;
}

export function markerValue(image: PolicyImage, field: MarkerField): string {
  if (field === 'image')
    return `${image.name}:${image.tag}${image.withDigest && image.digest ? `@${image.digest}` : ''}`;
  return image[field];
}

/** Rewrite every marker whose policy is in `images`; the rest of the text as it was. */
export function rewriteMarkers(
  text: string,
  images: Record<string, PolicyImage>,
): { text: string; changes: MarkerChange[] } | { error: string } {
  const markers = findMarkers(text);
  if ('error' in markers) return markers;
  const changes: MarkerChange[] = [];
  let out = text;
  // From the end, so earlier ranges stay where they were.
  for (const m of [...markers].sort((a, b) => b.range[0] - a.range[0])) {
    const image = images[m.policy];
    if (!image) continue;
    const to = markerValue(image, m.field);
    if (to === m.value) continue;
    const written = m.quote === '"' ? JSON.stringify(to) : m.quote === "'" ? `'${to.replaceAll("'", "''")}'` : to;
    out = `${out.slice(0, m.range[0])}${written}${out.slice(m.range[1])}`;
    changes.unshift({ line: m.line, policy: m.policy, field: m.field, from: m.value, to });
  }
  return { text: out, changes };
}
