/**
 * `flux check`, for one service: apply the service's generated policy to the tags the registry
 * lists, exactly as the image-reflector-controller would, and compare the selection with what
 * this machine last pushed and verified (its digest pin). Pure: the CLI lists the tags and
 * resolves the selected one.
 */
import type { DigestPin } from '@imagefleet/pipeline';
import { selectLatest } from './policy.js';
import type { TagScheme } from './scheme.js';

export type FluxCheck =
  | { status: 'ok'; tag: string; line: string }
  | { status: 'failed'; tag: string; line: string }
  | { status: 'unfollowed'; tag: ''; line: string };

export interface FluxCheckInput {
  service: string;
  scheme: TagScheme | null;
  tags: readonly string[];
  pin: DigestPin | undefined;
  /** The digest the selected tag points at now. */
  digestOf(tag: string): Promise<string | null>;
}

export async function checkFluxSelection(input: FluxCheckInput): Promise<FluxCheck> {
  const { service, scheme, pin } = input;
  const failed = (tag: string, why: string): FluxCheck => ({ status: 'failed', tag, line: `${service}: ${why}` });
  if (!scheme)
    return {
      status: 'unfollowed',
      tag: '',
      line: `${service}: no tag template sorts ({timestamp} or {runId}): Flux has nothing to follow`,
    };
  const selection = selectLatest(input.tags, scheme.policy);
  if (!selection.ok)
    return failed('', `the policy selects nothing (${selection.error}) among ${input.tags.length} tag(s)`);
  const { tag } = selection;
  if (selection.tied.length)
    return failed(
      tag,
      `"${tag}" ties with ${selection.tied.map((t) => `"${t}"`).join(', ')} in the policy's order: Flux may select either`,
    );
  const last = pin?.version ?? '';
  if (!pin || !last)
    return failed(
      tag,
      `Flux would select "${tag}", but this machine has no verified push with a ${scheme.template} tag`,
    );
  if (tag !== last) {
    const why = input.tags.includes(last) ? '' : ' (it is no longer in the registry)';
    const passes = selectLatest([last], scheme.policy).ok
      ? ''
      : ` (it does not pass the filter ${scheme.policy.filterTags.pattern}: a dirty tree or another branch?)`;
    return failed(
      tag,
      `Flux would select "${tag}", not "${last}" that this machine last pushed and verified${why}${passes}`,
    );
  }
  const digest = await input.digestOf(tag);
  if (digest !== pin.digest)
    return failed(tag, `"${tag}" points at ${digest ?? 'nothing'}, not ${pin.digest} that was verified`);
  return { status: 'ok', tag, line: `${service}: Flux selects "${tag}" (${digest}), the verified push` };
}
