import type { Manifest, ServiceSpec } from './types.js';

/** Every name of one image, one entry per tag, the primary (default) tag first. */
export interface ImageReferences {
  /** `<host>/<namespace>/<service>:<tag>`: what clusters and GitOps pull. */
  reference: string[];
  /** `<pushHost>/<namespace>/<service>:<tag>`: what this machine pushes to. */
  push: string[];
  /** `<namespace>/<service>:<tag>`: the local build tag, before any registry host. */
  local: string[];
  /** `<builderHost>/<namespace>/<service>:<tag>`: where a builder that pushes itself pushes to. */
  builder: string[];
}

/** `<namespace>/<service>`: the repository in the registry. */
export function imageRepository(manifest: Manifest, service: ServiceSpec | string): string {
  return `${manifest.registry.namespace}/${lookup(manifest, service).name}`;
}

export function imageReferences(manifest: Manifest, service: ServiceSpec | string): ImageReferences {
  const spec = lookup(manifest, service);
  const repository = imageRepository(manifest, spec);
  const { host, pushHost, builderHost } = manifest.registry;
  return {
    reference: spec.tags.map((tag) => `${host}/${repository}:${tag}`),
    push: spec.tags.map((tag) => `${pushHost}/${repository}:${tag}`),
    local: spec.tags.map((tag) => `${repository}:${tag}`),
    builder: spec.tags.map((tag) => `${builderHost}/${repository}:${tag}`),
  };
}

function lookup(manifest: Manifest, service: ServiceSpec | string): ServiceSpec {
  if (typeof service !== 'string') return service;
  const spec = manifest.services.find((s) => s.name === service);
  if (!spec) {
    const known = manifest.services.map((s) => s.name).join(', ');
    throw new Error(`${manifest.file}: no service "${service}" (services: ${known})`);
  }
  return spec;
}
