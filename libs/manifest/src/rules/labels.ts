/**
 * `labels:` add to what imagefleet sets: the OCI labels it derives from git and the service
 * (source, revision, created, title, version) are what the verifier's identity check and Flux
 * users read, so the manifest may not set them.
 */
import type { ManifestFile } from '../schema.js';
import type { PathSegment, Problem } from '../problem.js';

export const DERIVED_LABELS = [
  'org.opencontainers.image.source',
  'org.opencontainers.image.revision',
  'org.opencontainers.image.created',
  'org.opencontainers.image.title',
  'org.opencontainers.image.version',
  'org.imagefleet.service',
  'org.imagefleet.content-key',
] as const;

export function labelProblems(raw: ManifestFile): Problem[] {
  const sections: [PathSegment[], Record<string, unknown> | null | undefined][] = [
    [['defaults', 'labels'], raw.defaults?.labels],
    ...Object.entries(raw.services).map(
      ([name, entry]): [PathSegment[], Record<string, unknown> | null | undefined] => [
        ['services', name, 'labels'],
        entry?.labels,
      ],
    ),
  ];
  return sections.flatMap(([at, labels]) =>
    Object.keys(labels ?? {})
      .filter((key) => (DERIVED_LABELS as readonly string[]).includes(key))
      .map((key) => ({
        path: [...at, key],
        at: 'key' as const,
        message: `label ${key} is set by imagefleet from git and the service: remove it here`,
      })),
  );
}
