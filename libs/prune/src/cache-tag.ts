import type { Manifest } from '@imagefleet/manifest';

/**
 * The tag of the service's registry build cache (`cache.registry`) when the cache lives in the
 * service's own repository (the default `<builderHost>/<ns>/<svc>:buildcache`), else null: prune
 * keeps it, or the next cold builder would find no cache.
 */
export function cacheTag(manifest: Pick<Manifest, 'cache' | 'registry'>, service: string): string | null {
  const ref = manifest.cache.registry?.ref.replaceAll('{service}', service);
  if (!ref) return null;
  const path = ref.slice(ref.indexOf('/') + 1);
  const colon = path.lastIndexOf(':');
  if (colon === -1) return null;
  return path.slice(0, colon) === `${manifest.registry.namespace}/${service}` ? path.slice(colon + 1) : null;
}
