/** The registry check of many services at once, no build: what `verify` (CLI and Nx target) runs. */
import { isTemplate, type Manifest } from '@imagefleet/manifest';
import type { VerifyStatus } from '@imagefleet/registry';
import pLimit from 'p-limit';
import { createRunContext, findService, serviceContext } from '../service/context.js';
import { verifyService } from '../service/verify.js';
import { newRunId } from '../run-id.js';

export interface ServiceCheck {
  service: string;
  image: string;
  status: VerifyStatus;
  digest: string;
  /** Which host answered. */
  host: string;
  /** `N manifest(s), M blob(s)` or what is missing. */
  detail: string;
}

export async function* verifyServices(
  manifest: Manifest,
  names: readonly string[],
  opts: { env: NodeJS.ProcessEnv; signal?: AbortSignal },
): AsyncGenerator<ServiceCheck> {
  const run = createRunContext(manifest, {
    runId: newRunId(),
    env: opts.env,
    signal: opts.signal ?? new AbortController().signal,
  });
  const limit = pLimit(8);
  const checks = names.map((name) =>
    limit(async (): Promise<ServiceCheck> => {
      const service = findService(manifest, name);
      // A template's tags belong to the run that rendered them: `flux check` checks those.
      const v = await verifyService(
        serviceContext(run, service),
        undefined,
        service.tags.filter((t) => !isTemplate(t)),
      );
      const r = v.result;
      return {
        service: name,
        image: `${manifest.registry.host}/${manifest.registry.namespace}/${name}:${service.tags[0]}`,
        status: r.status,
        digest: r.status === 'verified' ? r.digest : '',
        host: v.host,
        detail: r.status === 'verified' ? `${r.manifests} manifest(s), ${r.blobs} blob(s)` : r.detail,
      };
    }),
  );
  for (const check of checks) yield await check;
}
