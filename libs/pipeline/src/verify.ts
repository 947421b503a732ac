/**
 * The verify phase: the registry itself says whether the image is complete — every manifest
 * and every blob, through the push host and through the reference host when this machine can
 * reach it. The pushed digest must be the one the tag points at (a stale tag is a failure).
 */
import type { VerifyResult } from '@imagefleet/registry';
import type { Manifest, ServiceSpec } from '@imagefleet/manifest';
import { pushClient, referenceClient } from './registry.js';

export interface ServiceVerification {
  /** The first non-verified result, or the verified one. */
  result: VerifyResult;
  /** Which host said so. */
  host: string;
  durationMs: number;
}

export async function verifyService(
  manifest: Manifest,
  service: ServiceSpec,
  env: NodeJS.ProcessEnv,
  expectedDigest?: string,
  /** Which tags to walk. @default every tag of the service */
  tags: string[] = service.tags,
): Promise<ServiceVerification> {
  const started = Date.now();
  const repo = `${manifest.registry.namespace}/${service.name}`;
  const clients = [{ host: manifest.registry.pushHost, client: pushClient(manifest, env) }];
  const reference = await referenceClient(manifest, env);
  if (reference) clients.push({ host: manifest.registry.host, client: reference });

  let verified: { result: VerifyResult; host: string } | undefined;
  for (const { host, client } of clients) {
    // Every tag must point at the same, complete image: the first tag fixes the digest.
    let expected = expectedDigest;
    for (const tag of tags) {
      const result = await client.verify(repo, tag, expected ? { expectedDigest: expected } : {});
      if (result.status !== 'verified') return { result, host, durationMs: Date.now() - started };
      expected ??= result.digest;
      verified ??= { result, host };
    }
  }
  return { ...verified!, durationMs: Date.now() - started };
}
