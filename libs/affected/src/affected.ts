/**
 * Which services a change touches, exactly: a file inside a service's context (or its
 * Dockerfile), or a change to its own entry in services.manifest.yaml — and then every service
 * built FROM a touched one, transitively. A change to the manifest's shared sections (registry,
 * builder, defaults) touches every service.
 *
 * Nx alone sees only that the manifest file changed (every service's inputs include it); this
 * reads the entries on both sides of the change.
 */
import { parse } from 'yaml';
import type { Manifest } from '@imagefleet/manifest';

export interface AffectedReason {
  service: string;
  reason: string;
}

/**
 * @param changedFiles paths relative to the workspace root (posix), as `git diff --name-only` gives them
 * @param manifestText the manifest text at the base revision ('' when it did not exist) and now
 */
export function affectedServices(
  manifest: Manifest,
  changedFiles: string[],
  manifestText: { before: string; now: string },
  manifestRel = 'services.manifest.yaml',
): AffectedReason[] {
  const direct = new Map<string, string>();
  for (const service of manifest.services) {
    const inContext = changedFiles.find((f) => f === service.dockerfileRel || f.startsWith(`${service.contextRel}/`));
    if (inContext) direct.set(service.name, `changed ${inContext}`);
  }
  if (changedFiles.includes(manifestRel)) {
    for (const [name, reason] of manifestChanges(manifest, manifestText))
      if (!direct.has(name)) direct.set(name, reason);
  }
  // Everything built FROM a touched service is touched too.
  const result = new Map(direct);
  let grew = true;
  while (grew) {
    grew = false;
    for (const service of manifest.services) {
      if (result.has(service.name)) continue;
      const dep = service.dependsOn.find((d) => result.has(d));
      if (dep) {
        result.set(service.name, `builds FROM ${dep}`);
        grew = true;
      }
    }
  }
  return manifest.services
    .filter((s) => result.has(s.name))
    .map((s) => ({ service: s.name, reason: result.get(s.name)! }));
}

/** Sections every image depends on; `concurrency` and `push` change how, not what, is pushed. */
const SHARED_SECTIONS = ['registry', 'builder', 'defaults'] as const;

function manifestChanges(manifest: Manifest, text: { before: string; now: string }): Map<string, string> {
  const changed = new Map<string, string>();
  const before = loose(text.before);
  const now = loose(text.now);
  const shared = SHARED_SECTIONS.filter((k) => JSON.stringify(before[k]) !== JSON.stringify(now[k]));
  for (const service of manifest.services) {
    const was = before.services?.[service.name];
    if (shared.length) changed.set(service.name, `${shared.join(', ')} changed in services.manifest.yaml`);
    else if (was === undefined) changed.set(service.name, 'new in services.manifest.yaml');
    else if (JSON.stringify(was) !== JSON.stringify(now.services?.[service.name])) {
      changed.set(service.name, `services.${service.name} changed in services.manifest.yaml`);
    }
  }
  return changed;
}

interface LooseManifest {
  registry?: unknown;
  builder?: unknown;
  defaults?: unknown;
  services?: Record<string, unknown>;
}

/** The base revision's manifest may be invalid today: compare raw YAML values, never fail. */
function loose(text: string): LooseManifest {
  if (!text) return {};
  try {
    const value = parse(text) as unknown;
    return value && typeof value === 'object' ? (value as LooseManifest) : {};
  } catch {
    return {};
  }
}
