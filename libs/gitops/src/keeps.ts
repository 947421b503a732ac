/**
 * What `prune` must keep for GitOps: the image each service's Flux policy selects now (deleting
 * it would make Flux roll back or fail), and everything the setter markers in values files name.
 * Shaped as prune's `GitOpsKeeps`; the CLI hands it over (prune and gitops are siblings).
 */
import { parseReference } from '@imagefleet/registry';
import type { Manifest, ServiceSpec } from '@imagefleet/manifest';
import { findMarkers } from './markers.js';
import { selectLatest } from './policy.js';
import { policyName } from './resources.js';
import { tagScheme } from './scheme.js';

export interface KeptImages {
  digests: Record<string, string>;
  tags: Record<string, string>;
}

export function gitopsKeeps(manifest: Manifest) {
  return {
    selected(service: ServiceSpec, tags: Record<string, string>): Record<string, string> {
      const scheme = tagScheme(service, manifest.flux);
      const selection = scheme ? selectLatest(Object.keys(tags), scheme.policy) : null;
      if (!selection?.ok) return {};
      return {
        [tags[selection.tag]!]: `selected by the Flux policy ${policyName(manifest, service.name)} (${selection.tag})`,
      };
    },
    marked(text: string, file: string): Map<string, KeptImages> {
      const out = new Map<string, KeptImages>();
      const markers = findMarkers(text);
      if ('error' in markers) throw new Error(`${file}: ${markers.error}`);
      for (const m of markers) {
        const service = manifest.services.find((s) => policyName(manifest, s.name) === m.policy);
        if (!service || m.field === 'name') continue;
        const entry = out.get(service.name) ?? { digests: {}, tags: {} };
        out.set(service.name, entry);
        const why = `named by the marker on ${file}:${m.line}`;
        if (m.field === 'digest') entry.digests[m.value] = why;
        else if (m.field === 'tag') entry.tags[m.value] = why;
        else {
          const parsed = parseReference(m.value);
          if (parsed.digest) entry.digests[parsed.digest] = why;
          else entry.tags[parsed.tag ?? 'latest'] = why;
        }
      }
      return out;
    },
  };
}
