/**
 * The verify phase: the registry itself says whether the image is complete — every manifest
 * and every blob, through the push host and through the reference host when this machine can
 * reach it. The pushed digest must be the one the tag points at (a stale tag is a failure).
 */
import type { VerifyResult } from '@imagefleet/registry';
import type { ServiceContext } from './context.js';

export interface ServiceVerification {
  /** The first non-verified result, or the verified one. */
  result: VerifyResult;
  /** Which host said so. */
  host: string;
  durationMs: number;
}

export async function verifyService(
  ctx: ServiceContext,
  expectedDigest?: string,
  /** Which tags to walk. @default every tag of the service */
  tags: string[] = ctx.service.tags,
): Promise<ServiceVerification> {
  const started = Date.now();
  const { registry } = ctx.manifest;
  const clients = [{ host: registry.pushHost, client: ctx.registry.push }];
  const reference = await ctx.registry.reference();
  if (reference) clients.push({ host: registry.host, client: reference });

  let verified: { result: VerifyResult; host: string } | undefined;
  for (const { host, client } of clients) {
    // Every tag must point at the same, complete image: the first tag fixes the digest.
    let expected = expectedDigest;
    for (const tag of tags) {
      const result = await client.verify(ctx.repository, tag, expected ? { expectedDigest: expected } : {});
      if (result.status !== 'verified') return { result, host, durationMs: Date.now() - started };
      expected ??= result.digest;
      verified ??= { result, host };
    }
  }
  return { ...verified!, durationMs: Date.now() - started };
}
