/**
 * Content-addressed skipping: an image whose content tag is in the registry and verifies needs
 * no build and no push — only its tags pointed at that manifest, through the registry API. This
 * asks the registry, never the daemon or Nx's cache, so it holds after a daemon reset and on
 * another machine sharing the registry.
 */
import { contentKey, contentTag } from '@imagefleet/buildkit';
import type { ServiceContext } from './context.js';

export interface ContentCheck {
  /** The key as the content tag and `{contentKey}` carry it. */
  key: string;
  contentTag: string;
  /** The verified digest under the content tag, or '' when it must be built. */
  digest: string;
  /** The labels of each image under `digest`, as the walk read them (for the identity check). */
  labels: Record<string, string>[];
}

export async function checkContent(ctx: ServiceContext, baseDigests: Record<string, string>): Promise<ContentCheck> {
  const key = await contentKey({
    context: ctx.service.context,
    dockerfile: ctx.service.dockerfile,
    buildArgs: ctx.service.buildArgs,
    secrets: ctx.service.secrets,
    baseDigests,
  });
  const tag = contentTag(key);
  // A missing tag costs verify one request, like a HEAD would.
  const result = await ctx.registry.push.verify(ctx.repository, tag);
  return {
    key: tag.slice('content-'.length),
    contentTag: tag,
    digest: result.status === 'verified' ? result.digest : '',
    labels: result.status === 'verified' ? result.labels : [],
  };
}

/**
 * Point tags at `digest` with a manifest PUT of the same bytes, where they do not already: one
 * GET and one PUT instead of another `docker push` per tag.
 */
export async function retagToDigest(
  ctx: ServiceContext,
  digest: string,
  tags: string[] = ctx.service.tags,
): Promise<string[]> {
  const client = ctx.registry.push;
  const moved: string[] = [];
  let manifest: Awaited<ReturnType<typeof client.getManifest>> | undefined;
  for (const tag of tags) {
    const head = await client.headManifest(ctx.repository, tag);
    if (head?.digest === digest) continue;
    manifest ??= await client.getManifest(ctx.repository, digest);
    await client.putManifest(ctx.repository, tag, manifest.bytes, manifest.mediaType);
    moved.push(tag);
  }
  return moved;
}

/** `<pushHost>/<namespace>/<service>:<content tag>` */
export function contentRef(ctx: ServiceContext, tag: string): string {
  return `${ctx.manifest.registry.pushHost}/${ctx.repository}:${tag}`;
}

/** Each tag must now resolve to `digest` (whose content was just walked in full): '' or what is wrong. */
export async function verifyTagsResolve(ctx: ServiceContext, digest: string, tags: string[]): Promise<string> {
  const client = ctx.registry.push;
  for (const tag of tags) {
    const head = await client.headManifest(ctx.repository, tag);
    if (head?.digest !== digest)
      return `${ctx.manifest.registry.pushHost}/${ctx.repository}:${tag} resolves to ${head?.digest ?? 'nothing'}, not ${digest}`;
  }
  return '';
}
