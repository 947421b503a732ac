/** Where the review pages go, beside the summary files in `artifacts/image-build-logs/`. */
import { DOCKER_TAG } from '@imagefleet/report';

export const HISTORY_PAGE = 'history.html';

export function timelineFileName(tag: string): string {
  if (!DOCKER_TAG.test(tag)) throw new TypeError(`timeline tag must be a Docker tag, got ${JSON.stringify(tag)}`);
  return `timeline-${tag}.html`;
}

/** The comparison against the run before, in Markdown, for CI job summaries. */
export function reviewMarkdownFileName(tag: string): string {
  if (!DOCKER_TAG.test(tag)) throw new TypeError(`review tag must be a Docker tag, got ${JSON.stringify(tag)}`);
  return `review-${tag}.md`;
}
