/**
 * What an image says about itself: its rendered tags, its OCI labels (and the same as manifest
 * annotations where the driver writes them), and the revision the identity check expects in the
 * pushed config. Rendered once the content key is known (it is one of the placeholders), from
 * the run's source facts; a template that cannot render (no git, a detached HEAD for
 * `{branch}`) is a failed row, not a guess.
 */
import { imageReferences, isTemplate, renderTag, sortableTemplate, type TagFacts } from '@imagefleet/manifest';
import type { ServiceContext } from './context.js';

export const REVISION_LABEL = 'org.opencontainers.image.revision';
export const CONTENT_KEY_LABEL = 'org.imagefleet.content-key';

/** `{sha}` as tags and the revision label carry it: `-dirty` when the work tree had changes. */
export function revisionOf(ctx: Pick<ServiceContext, 'source'>): string {
  return ctx.source.ok ? `${ctx.source.facts.sha}${ctx.source.facts.dirty ? '-dirty' : ''}` : '';
}

/** The service with its templates rendered and its labels complete, or why it cannot be. */
export function withIdentity(ctx: ServiceContext, contentKey: string): ServiceContext | { error: string } {
  const templates = ctx.service.tags.filter(isTemplate);
  let tags = ctx.service.tags;
  if (templates.length) {
    if (!ctx.source.ok) return { error: `tag template "${templates[0]}" needs git: ${ctx.source.reason}` };
    const { facts } = ctx.source;
    if (!facts.branch && templates.some((t) => t.includes('{branch}')))
      return {
        error: `tag template "${templates.find((t) => t.includes('{branch}'))}" needs a branch, and HEAD is detached: check out the branch`,
      };
    const revision = revisionOf(ctx);
    const values: TagFacts = {
      branch: facts.branch,
      sha: revision,
      shortSha: `${facts.sha.slice(0, 7)}${facts.dirty ? '-dirty' : ''}`,
      timestamp: facts.timestamp,
      contentKey,
      runId: ctx.runId,
    };
    try {
      tags = [...new Set(ctx.service.tags.map((t) => (isTemplate(t) ? renderTag(t, values) : t)))];
    } catch (error) {
      return { error: (error as Error).message };
    }
  }
  const sortable = sortableTemplate(ctx.service.tags);
  const version = sortable ? tags[ctx.service.tags.indexOf(sortable)]! : tags[0]!;
  const oci: Record<string, string> = {
    ...(ctx.source.ok && ctx.source.facts.url ? { 'org.opencontainers.image.source': ctx.source.facts.url } : {}),
    ...(ctx.source.ok ? { [REVISION_LABEL]: revisionOf(ctx) } : {}),
    'org.opencontainers.image.created': ctx.startedAt,
    'org.opencontainers.image.title': ctx.service.name,
    'org.opencontainers.image.version': version,
  };
  const service = { ...ctx.service, tags };
  return {
    ...ctx,
    service,
    refs: imageReferences(ctx.manifest, service),
    labels: {
      ...ctx.service.labels,
      ...oci,
      'org.imagefleet.service': ctx.service.name,
      [CONTENT_KEY_LABEL]: contentKey,
    },
    annotations: oci,
    version,
  };
}

/**
 * The identity check: the image under `digest` must say it is what this run built — its config
 * carries this run's revision (a pushed image) and the content key it was checked under. A
 * stale or foreign image under a fresh tag fails here. An image settled by its content tag was
 * built from an earlier commit: only its content key is compared (images from before the label
 * existed carry none and pass on their content tag). `images`: the labels of each image under
 * `digest`, as the verification walk read them from the registry.
 * @returns '' or what is wrong
 */
export function checkIdentity(
  ctx: ServiceContext,
  digest: string,
  images: Record<string, string>[],
  expect: { contentKey: string; built: boolean },
): string {
  if (!images.length) return `${ctx.repository}@${digest}: no image config to check the revision in`;
  const revision = revisionOf(ctx);
  for (const labels of images) {
    const key = labels[CONTENT_KEY_LABEL];
    if ((expect.built || key !== undefined) && key !== expect.contentKey)
      return `${ctx.repository}@${digest} carries content key ${key ?? 'none'}, not ${expect.contentKey}: not the image this run checked`;
    if (expect.built && revision && labels[REVISION_LABEL] !== revision)
      return `${ctx.repository}@${digest} carries revision ${labels[REVISION_LABEL] ?? 'none'}, not ${revision}: a stale or foreign image under this run's tags`;
  }
  return '';
}
