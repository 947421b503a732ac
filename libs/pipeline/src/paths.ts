import { join } from 'node:path';
import type { Manifest } from '@imagefleet/manifest';

/** Where a workspace keeps what imagefleet writes (all under the git-ignored artifacts/). */
export interface WorkspacePaths {
  /** `artifacts/image-build-logs`: per-service logs and the summary files. */
  logs: string;
  /** `artifacts/.imagefleet`: hand-offs between tasks, locks, push slots. */
  state: string;
  /** Build hand-off records, one per service. */
  builds: string;
  /** Push slot files (the cross-process push limit). */
  pushSlots: string;
  /** Build slot files (the cross-process build limit, when `concurrency.build` is set). */
  buildSlots: string;
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
    buildSlots: join(state, 'build-slots'),
    digests: join(artifacts, 'image-digests.json'),
    dotenv: join(manifest.root, '.env'),
  };
}
