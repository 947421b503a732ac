/**
 * `artifacts/image-digests.json`: service → verified digest pin, for GitOps. Only verified
 * digests are written (the push task calls this after verification).
 */
import { mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { withFileLock } from '@imagefleet/process';
import { writeFileAtomic } from '@imagefleet/report';
import type { ServiceContext } from './context.js';
import { revisionOf } from './identity.js';

export interface DigestPin {
  /** `<host>/<namespace>/<service>@sha256:…` */
  ref: string;
  digest: string;
  tags: string[];
  /** The sortable tag (what Flux selects), else the primary tag. */
  version: string;
  /** The commit it was built from (`-dirty` for a work tree with changes), '' without git. */
  revision: string;
  runId: string;
  verifiedAt: string;
}

export type DigestPins = Record<string, DigestPin>;

export async function readDigestPins(file: string): Promise<DigestPins> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as DigestPins;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new Error(`${file}: not valid JSON (${(error as Error).message})`);
  }
}

export function pinFor(ctx: ServiceContext, digest: string): { service: string; pin: DigestPin } {
  return {
    service: ctx.service.name,
    pin: {
      ref: `${ctx.manifest.registry.host}/${ctx.repository}@${digest}`,
      digest,
      tags: ctx.refs.reference,
      version: ctx.version,
      revision: revisionOf(ctx),
      runId: ctx.runId,
      verifiedAt: new Date().toISOString(),
    },
  };
}

/** Merge pins into the file under its lock, atomically. */
export async function recordDigestPins(file: string, entries: { service: string; pin: DigestPin }[]): Promise<void> {
  if (!entries.length) return;
  await mkdir(dirname(file), { recursive: true });
  await withFileLock(`${file}.lock`, async () => {
    const pins = await readDigestPins(file);
    for (const { service, pin } of entries) pins[service] = pin;
    const sorted = Object.fromEntries(Object.entries(pins).sort(([a], [b]) => a.localeCompare(b)));
    await writeFileAtomic(file, `${JSON.stringify(sorted, null, 2)}\n`);
  });
}
