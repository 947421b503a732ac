/**
 * `imagefleet prune`: registry retention. Per service, list the tags through the registry API,
 * decide (policy.ts) what stays — the current tags, the pins of artifacts/image-digests.json,
 * what values files name, the newest `retention.keep` content images — DELETE the other manifests
 * by digest (`dryRun`: only say so), then collect the garbage where we can (gc.ts) and verify every
 * kept image. Outcomes are values; the CLI turns them into lines and an exit code.
 */
import { cacheTag } from './cache-tag.js';
import pLimit from 'p-limit';
import { isTemplate, type Manifest, type ServiceSpec } from '@imagefleet/manifest';
import { isLoopbackHost, type RegistryClient, type VerifyStatus } from '@imagefleet/registry';
import { createRunRegistry, readDigestPins, workspacePaths } from '@imagefleet/pipeline';
import { collectInContainer, findRegistryContainer } from './container-gc.js';
import { collectGarbage, devRegistryGcTarget, readRegistryConfig, type GcOutcome, type GcTarget } from './gc.js';
import { readInventory } from './inventory.js';
import { decideRetention, type RetentionDecision } from './policy.js';
import { protectedImages, type GitOpsKeeps, type ValuesOption } from './references.js';
import { deleteUntaggedDecision, findUntaggedManifests } from './untagged.js';

export interface PruneOptions {
  /** Services to prune; all of the manifest when empty. */
  services: readonly ServiceSpec[];
  dryRun: boolean;
  values?: ValuesOption;
  /** What Flux policies select and setter markers name (libs/gitops `gitopsKeeps`): kept. */
  gitops?: GitOpsKeeps;
  env: NodeJS.ProcessEnv;
  /** The push host's client. @default createRunRegistry(manifest, env).push */
  client?: RegistryClient;
  /**
   * Where garbage collection runs: the dev registry of up.sh when pushHost is it, else a cluster
   * script's registry container (`k3d-<name>`, `kind-registry`) publishing the push port
   * (default); a target of the caller's (tests); or `null`: never.
   */
  gc?: GcTarget | null;
  /** Progress lines (waiting for pushes, stopping the registry). */
  say?: (line: string) => void;
}

export interface PrunedManifest extends RetentionDecision {
  service: string;
  repository: string;
  /** `delete`: `deleted` / `would delete` / the failure; `keep`: the verify status after GC (or `not checked` in a dry run). */
  outcome: string;
  ok: boolean;
}

export interface PruneReport {
  manifests: PrunedManifest[];
  gc: GcOutcome;
  /** The registry refused a DELETE because deletes are off (`storage.delete.enabled`, 405 UNSUPPORTED). */
  deletesDisabled: boolean;
  /** Every kept image verifies and every delete went through. */
  ok: boolean;
}

export async function prune(manifest: Manifest, opts: PruneOptions): Promise<PruneReport> {
  const say = opts.say ?? (() => undefined);
  const client = opts.client ?? createRunRegistry(manifest, opts.env).push;
  const services = opts.services.length ? opts.services : manifest.services;
  const paths = workspacePaths(manifest);
  const protect = await protectedImages(
    manifest,
    services,
    await readDigestPins(paths.digests),
    opts.values,
    opts.gitops,
  );
  const limit = pLimit(8);

  const rows: PrunedManifest[] = [];
  const kept = new Map<string, Set<string>>();
  for (const service of services) {
    const repository = `${manifest.registry.namespace}/${service.name}`;
    const inventory = await readInventory(client, repository, limit);
    const p = protect.get(service.name)!;
    const protectedDigests = { ...p.digests };
    for (const [tag, why] of Object.entries(p.tags))
      if (inventory.tags[tag]) protectedDigests[inventory.tags[tag]] ??= why;
    const cache = cacheTag(manifest, service.name);
    if (cache && inventory.tags[cache]) protectedDigests[inventory.tags[cache]] ??= `registry build cache ${cache}`;
    // What the service's Flux policy selects now stays: deleting it would make Flux roll back.
    for (const [digest, why] of Object.entries(opts.gitops?.selected(service, inventory.tags) ?? {}))
      protectedDigests[digest] ??= why;
    const plan = decideRetention({
      ...inventory,
      // Older renderings of a template are neither current nor content tags: prunable unless protected.
      currentTags: service.tags.filter((t) => !isTemplate(t)),
      protectedDigests,
      keep: manifest.retention.keep,
    });
    kept.set(repository, plan.kept);
    for (const d of plan.decisions)
      rows.push({
        ...d,
        service: service.name,
        repository,
        outcome: d.action === 'keep' ? 'not checked' : 'would delete',
        ok: true,
      });
  }
  if (opts.dryRun)
    return {
      manifests: rows,
      gc: { status: 'skipped', detail: 'dry run: nothing deleted, no garbage collection' },
      deletesDisabled: false,
      ok: true,
    };

  let deletesDisabled = false;
  await Promise.all(
    rows
      .filter((r) => r.action === 'delete')
      .map((r) =>
        limit(async () => {
          try {
            await client.deleteManifest(r.repository, r.digest);
            r.outcome = 'deleted';
          } catch (error) {
            // Already gone (a child deleted with its index, a concurrent prune) is what we wanted.
            const { code, status } = error as { code?: string; status?: number };
            if (code === 'MANIFEST_UNKNOWN') r.outcome = 'already gone';
            else if (status === 405 || code === 'UNSUPPORTED') {
              deletesDisabled = true;
              Object.assign(r, {
                outcome: `not deleted: ${manifest.registry.pushHost} has deletes disabled (405 UNSUPPORTED)`,
                ok: false,
              });
            } else Object.assign(r, { outcome: `not deleted: ${(error as Error).message}`, ok: false });
          }
        }),
      ),
  );

  const gc = await garbageCollect(manifest, opts, kept, say);

  const checks = rows.filter((r) => r.action === 'keep');
  await Promise.all(
    checks.map((r) =>
      limit(async () => {
        const result = await client
          .verify(r.repository, r.digest)
          .catch((error: Error) => ({ status: 'unreachable' as VerifyStatus, detail: error.message }));
        r.outcome = result.status === 'verified' ? 'verified' : `${result.status}: ${result.detail}`;
        r.ok = result.status === 'verified';
      }),
    ),
  );
  return { manifests: rows, gc, deletesDisabled, ok: rows.every((r) => r.ok) && gc.status !== 'failed' };
}

/** Not up.sh's registry: a cluster script's registry container publishing the push port, if any. */
async function containerGarbage(manifest: Manifest, devSkip: string, say: (line: string) => void): Promise<GcOutcome> {
  const { pushHost } = manifest.registry;
  const port = /:(\d+)$/.exec(pushHost)?.[1];
  if (!isLoopbackHost(pushHost) || port === undefined) return { status: 'skipped', detail: devSkip };
  const found = await findRegistryContainer(manifest.builder.docker, port);
  if ('skip' in found) return { status: 'skipped', detail: `${devSkip}; ${found.skip}` };
  try {
    return await collectInContainer(found.target, {
      slotsDir: workspacePaths(manifest).pushSlots,
      slots: manifest.concurrency.push,
      say,
    });
  } catch (error) {
    return { status: 'failed', detail: `garbage collection in ${found.target.container}: ${(error as Error).message}` };
  }
}

async function garbageCollect(
  manifest: Manifest,
  opts: PruneOptions,
  kept: Map<string, Set<string>>,
  say: (line: string) => void,
): Promise<GcOutcome> {
  let target = opts.gc;
  if (target === undefined) {
    const dev = devRegistryGcTarget(manifest, opts.env);
    if ('skip' in dev) return containerGarbage(manifest, dev.skip, say);
    target = dev.target;
  }
  if (target === null) return { status: 'skipped', detail: 'garbage collection not asked for' };
  try {
    const root = readRegistryConfig(target.configFile).rootDirectory;
    return await collectGarbage(target, {
      deleteUntagged: async () => deleteUntaggedDecision(await findUntaggedManifests(root), kept),
      slotsDir: workspacePaths(manifest).pushSlots,
      slots: manifest.concurrency.push,
      say,
    });
  } catch (error) {
    return { status: 'failed', detail: `garbage collection: ${(error as Error).message}` };
  }
}
