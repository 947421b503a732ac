/** A service's summary row before anything happened: the one shape every row starts from. */
import { join, relative } from 'node:path';
import type { Manifest, ServiceSpec } from '@imagefleet/manifest';
import type { SummaryRow } from '@imagefleet/report';
import { workspacePaths } from './paths.js';

export function emptyRow(manifest: Manifest, service: ServiceSpec, runId: string, startedAt: string): SummaryRow {
  const tag = service.tags[0]!;
  return {
    runId,
    service: service.name,
    image: `${manifest.registry.host}/${manifest.registry.namespace}/${service.name}:${tag}`,
    status: 'running',
    phase: '',
    attempts: 0,
    buildSeconds: 0,
    pushSeconds: 0,
    verifySeconds: 0,
    digest: '',
    verify: '',
    log: relative(manifest.root, serviceLogPath(manifest, service)),
    error: '',
    startedAt,
    finishedAt: '',
  };
}

export function serviceLogPath(manifest: Manifest, service: ServiceSpec): string {
  return join(workspacePaths(manifest).logs, `${service.name}_${service.tags[0]}.log`);
}
