/**
 * The Flux objects that follow the manifest's tags (image.toolkit.fluxcd.io/v1, Flux 2.7+):
 * per service an ImageRepository that scans the reference host (the name clusters and Flux
 * pull by) and an ImagePolicy whose filter and order come from the tag template; one
 * ImageUpdateAutomation that writes the selections into the GitOps repository through setter
 * markers. Pure: files as text, written by the CLI.
 */
import { stringify } from 'yaml';
import type { Manifest, ServiceSpec } from '@imagefleet/manifest';
import { tagScheme } from './scheme.js';

export const FLUX_IMAGE_API = 'image.toolkit.fluxcd.io/v1';

export interface FluxFiles {
  /** File name → YAML. */
  files: Record<string, string>;
  /** Services with no tag template that sorts: nothing for Flux to follow. */
  unfollowed: string[];
}

export function fluxResources(manifest: Manifest): FluxFiles {
  const files: Record<string, string> = {};
  const unfollowed: string[] = [];
  for (const service of manifest.services) {
    const docs = serviceResources(manifest, service);
    if (docs) files[`${service.name}.yaml`] = docs.map((d) => `---\n${stringify(d, { lineWidth: 0 })}`).join('');
    else unfollowed.push(service.name);
  }
  if (Object.keys(files).length)
    files['image-update-automation.yaml'] = `---\n${stringify(automation(manifest), { lineWidth: 0 })}`;
  files['kustomization.yaml'] = stringify({
    apiVersion: 'kustomize.config.k8s.io/v1beta1',
    kind: 'Kustomization',
    resources: Object.keys(files).sort(),
  });
  return { files, unfollowed };
}

/** `<namespace>:<service>`, what a setter marker names. */
export function policyName(manifest: Manifest, service: string): string {
  return `${manifest.flux.namespace}:${service}`;
}

function serviceResources(manifest: Manifest, service: ServiceSpec): object[] | null {
  const scheme = tagScheme(service, manifest.flux);
  if (!scheme) return null;
  const { host, namespace } = manifest.registry;
  const settings = manifest.registry.hosts[host]!;
  const metadata = { name: service.name, namespace: manifest.flux.namespace };
  const hasCredentials = settings.credentialsEnv !== null || settings.dockerConfig !== null;
  return [
    {
      apiVersion: FLUX_IMAGE_API,
      kind: 'ImageRepository',
      metadata,
      spec: {
        image: `${host}/${namespace}/${service.name}`,
        interval: manifest.flux.interval,
        ...(settings.insecure ? { insecure: true } : {}),
        ...(hasCredentials ? { secretRef: { name: manifest.flux.secretRef } } : {}),
        ...(settings.caFile ? { certSecretRef: { name: manifest.flux.certSecretRef } } : {}),
      },
    },
    {
      apiVersion: FLUX_IMAGE_API,
      kind: 'ImagePolicy',
      metadata,
      spec: {
        imageRepositoryRef: { name: service.name },
        // The digest of the selected tag, for `…:digest` markers and `name:tag@digest` images.
        digestReflectionPolicy: 'IfNotPresent',
        filterTags: scheme.policy.filterTags,
        policy: scheme.policy.policy,
      },
    },
  ];
}

function automation(manifest: Manifest): object {
  const { flux } = manifest;
  return {
    apiVersion: FLUX_IMAGE_API,
    kind: 'ImageUpdateAutomation',
    metadata: { name: 'imagefleet', namespace: flux.namespace },
    spec: {
      interval: flux.interval,
      sourceRef: { kind: 'GitRepository', name: flux.gitRepository },
      git: {
        checkout: { ref: { branch: flux.gitBranch } },
        commit: {
          author: { name: 'fluxcdbot', email: 'fluxcdbot@users.noreply.github.com' },
          messageTemplate: '{{range .Changed.Changes}}{{print .OldValue}} -> {{println .NewValue}}{{end}}',
        },
        push: { branch: flux.gitBranch },
      },
      update: { path: flux.updatePath, strategy: 'Setters' },
    },
  };
}
