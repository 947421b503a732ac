/**
 * The run's fast path: before starting any Nx task, find the services whose content tag is
 * already in the registry and verifies — in one process, many at a time. Those get their rows
 * here; only the rest go to Nx. A service counts as unchanged only when every image it builds
 * FROM is unchanged too (a rebuilt base changes its key).
 */
import pLimit from 'p-limit';
import type { Manifest, ServiceSpec } from '@imagefleet/manifest';
import { loadServiceSecrets, serviceContext } from './context.js';
import { resolveBaseImages, type ResolvedBase } from './build.js';
import { checkContent, type ContentCheck } from './unchanged.js';
import { baseImageArg } from './registry.js';
import { preflightRegistry } from './preflight.js';

export interface RunPlan {
  /** service → verified content digest: nothing to do but tag and verify. */
  unchanged: Map<string, ContentCheck>;
  /** What Nx must run, in manifest order. */
  changed: string[];
}

export async function planRun(manifest: Manifest, names: string[], opts: { env: NodeJS.ProcessEnv; runId: string }): Promise<RunPlan> {
  const planned = new Set(names);
  const unchanged = new Map<string, ContentCheck>();
  const decided = new Map<string, Promise<ContentCheck | null>>();
  if (!(await preflightRegistry(manifest, opts.env)).ok) {
    return { unchanged, changed: manifest.services.filter((s) => planned.has(s.name)).map((s) => s.name) };
  }
  const limit = pLimit(8);
  const byName = new Map(manifest.services.map((s) => [s.name, s]));

  const decide = (service: ServiceSpec): Promise<ContentCheck | null> => {
    let pending = decided.get(service.name);
    if (!pending) {
      pending = (async () => {
        const ctx = serviceContext(manifest, service, { env: opts.env, runId: opts.runId });
        try {
          loadServiceSecrets(ctx); // a missing secret must fail in the task, with its row
        } catch {
          return null;
        }
        let base: ResolvedBase = { args: {}, digests: {} };
        for (const dep of service.dependsOn) {
          const depSpec = byName.get(dep)!;
          if (planned.has(dep)) {
            const depCheck = await decide(depSpec);
            if (!depCheck) return null;
            base.digests[dep] = depCheck.digest;
            base.args[baseImageArg(dep)] = `${manifest.registry.pushHost}/${manifest.registry.namespace}/${dep}@${depCheck.digest}`;
          }
        }
        const outside = service.dependsOn.filter((d) => !planned.has(d));
        if (outside.length) {
          const resolved = await resolveBaseImages({ ...ctx, service: { ...service, dependsOn: outside } });
          base = { args: { ...base.args, ...resolved.args }, digests: { ...base.digests, ...resolved.digests } };
        }
        const check = await limit(() => checkContent(ctx, base));
        return check.digest ? check : null;
      })().catch(() => null);
      decided.set(service.name, pending);
    }
    return pending;
  };

  const services = manifest.services.filter((s) => planned.has(s.name));
  const results = await Promise.all(services.map(decide));
  const changed: string[] = [];
  services.forEach((s, i) => {
    const r = results[i];
    if (r) unchanged.set(s.name, r);
    else changed.push(s.name);
  });
  return { unchanged, changed };
}
