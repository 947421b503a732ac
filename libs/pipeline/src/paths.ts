import { join } from 'node:path';
import type { Manifest } from '@imagefleet/manifest';

/** Where a workspace keeps what imagefleet writes (all under the git-ignored artifacts/). */
export interface WorkspacePaths {
  /** `artifacts/image-build-logs`: per-service logs and the summary files. */
  logs: string;
  /** `artifacts/.imagefleet`: locks, push slots, image-ID files. */
  state: string;
  /** Image-ID files the builder writes (`--iidfile`), one per service. */
  builds: string;
  /** Push slot files (the push limit across every process pushing to this workspace's registry). */
  pushSlots: string;
  /** `artifacts/image-digests.json`. */
  digests: string;
  /** `.env` beside the manifest. */
  dotenv: string;
}

export function workspacePaths(manifest: Manifest): WorkspacePaths {
  const artifacts = join(manifest.root, 'artifacts');
  const state = join(artifacts, '.imagefleet');
  return {
    logs: join(artifacts, 'image-build-logs'),
    state,
    builds: join(state, 'builds'),
    pushSlots: join(state, 'push-slots'),
    digests: join(artifacts, 'image-digests.json'),
    dotenv: join(manifest.root, '.env'),
  };
}
