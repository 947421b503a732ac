/**
 * The verify phase: the registry itself says whether the image is complete — every manifest
 * and every blob, through the push host and through the reference host (the name clusters
 * pull by), each with its own settings. The pushed digest must be the one the tag points at (a
 * stale tag is a failure). A reference host this machine cannot ask is said in the row's note,
 * never skipped silently.
 */
import type { VerifyResult } from '@imagefleet/registry';
import type { ServiceContext } from './context.js';

export interface ServiceVerification {
  /** The first non-verified result, or the verified one. */
  result: VerifyResult;
  /** Which host said so. */
  host: string;
  /** The hosts that verified it, push host first. */
  hosts: string[];
  /** `reference host not checked: <reason>`, or `''`. */
  note: string;
  durationMs: number;
}

/** The note of a row whose reference host could not be asked from this machine. */
export function referenceNote(reason: string): string {
  return `reference host not checked: ${reason}`;
}

export async function verifyService(
  ctx: ServiceContext,
  expectedDigest?: string,
  /** Which tags to walk. @default every tag of the service */
  tags: string[] = ctx.service.tags,
): Promise<ServiceVerification> {
  const started = ctx.clock.now();
  const { registry } = ctx.manifest;
  const hosts: string[] = [];
  const done = (result: VerifyResult, host: string, note = '') => ({
    result,
    host,
    hosts,
    note,
    durationMs: ctx.clock.now() - started,
  });

  const push = await walkTags(ctx.registry.push, ctx, tags, expectedDigest);
  if (push.result.status !== 'verified') return done(push.result, registry.pushHost);
  hosts.push(registry.pushHost);

  const reference = await ctx.registry.reference();
  if (reference.status === 'same') return done(push.result, registry.pushHost);
  if (reference.status === 'not-checked') return done(push.result, registry.pushHost, referenceNote(reference.reason));
  // The reference host must serve the very image the push host has.
  const ref = await walkTags(reference.client, ctx, tags, push.result.digest);
  if (ref.result.status !== 'verified') return done(ref.result, registry.host);
  hosts.push(registry.host);
  return done(push.result, registry.pushHost);
}

/** Every tag must point at the same, complete image: the first tag fixes the digest. */
async function walkTags(
  client: ServiceContext['registry']['push'],
  ctx: ServiceContext,
  tags: string[],
  expectedDigest: string | undefined,
): Promise<{ result: VerifyResult }> {
  let expected = expectedDigest;
  let first: VerifyResult | undefined;
  for (const tag of tags) {
    const result = await client.verify(ctx.repository, tag, expected ? { expectedDigest: expected } : {});
    if (result.status !== 'verified') return { result };
    expected ??= result.digest;
    first ??= result;
  }
  return { result: first! };
}

export interface ReferenceTagsCheck {
  /** What is wrong on the reference host (named in it), or `''`. */
  error: string;
  /** `reference host not checked: <reason>`, or `''`. */
  note: string;
  /** Whether the reference host was asked (and answered rightly). */
  checked: boolean;
}

/**
 * For an image settled by its content tag (nothing pushed): each tag must resolve to `digest`
 * on the reference host too — the name clusters pull by — or the note says why it was not asked.
 */
export async function checkReferenceTags(
  ctx: ServiceContext,
  digest: string,
  tags: string[] = ctx.service.tags,
): Promise<ReferenceTagsCheck> {
  const reference = await ctx.registry.reference();
  if (reference.status === 'same') return { error: '', note: '', checked: false };
  if (reference.status === 'not-checked') return { error: '', note: referenceNote(reference.reason), checked: false };
  const host = ctx.manifest.registry.host;
  for (const tag of tags) {
    let found: string | undefined;
    try {
      found = (await reference.client.headManifest(ctx.repository, tag))?.digest;
    } catch (error) {
      return { error: `${host}: ${(error as Error).message}`, note: '', checked: false };
    }
    if (found !== digest)
      return {
        error: `${host}/${ctx.repository}:${tag} resolves to ${found ?? 'nothing'}, not ${digest}`,
        note: '',
        checked: false,
      };
  }
  return { error: '', note: '', checked: true };
}
