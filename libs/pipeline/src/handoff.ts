/**
 * The `image` and `push` targets run in separate processes (Nx tasks); the build hands its
 * outcome to the push through a small record per service, tagged with the run id so a push
 * never picks up an older run's build.
 */
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '@imagefleet/report';

export interface BuildRecord {
  runId: string;
  service: string;
  imageId: string;
  buildSeconds: number;
  startedAt: string;
  /** Digests of the images built FROM, as resolved in the registry at build time. */
  baseDigests: Record<string, string>;
  /** The content tag (`content-<key>`) this build's inputs map to. */
  contentTag: string;
  /** The registry already held a verified image for the content tag: nothing was built. */
  unchanged: boolean;
  /** With `unchanged`: the digest the content tag points at. */
  digest: string;
}

export async function writeBuildRecord(dir: string, record: BuildRecord): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeFileAtomic(join(dir, `${record.service}.json`), `${JSON.stringify(record, null, 2)}\n`);
}

export async function readBuildRecord(dir: string, service: string): Promise<BuildRecord | null> {
  try {
    return JSON.parse(await readFile(join(dir, `${service}.json`), 'utf8')) as BuildRecord;
  } catch {
    return null;
  }
}
