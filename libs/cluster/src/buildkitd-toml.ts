/**
 * The registry section of a `buildkitd.toml` for the builder (`cluster-config --for buildkitd`):
 * usable as `buildkitd --config FILE` or `docker buildx create --buildkitd-config FILE`. The
 * builder pushes to and pulls bases from `registry.builderHost`, and imports/exports the build
 * cache there, so that host gets `http = true` when it is plain HTTP (BuildKit's `insecure` is
 * HTTPS without a trusted CA, not HTTP) or `ca = [...]` for a private CA; the reference host,
 * when it is another name, is mirrored to it so `FROM <host>/…` pulls from where the builder can.
 * Reads only `manifest.registry` and `manifest.cache`.
 */
import type { Manifest } from '@imagefleet/manifest';
import { tomlArray, tomlString } from './toml.js';

export function buildkitdToml(manifest: Pick<Manifest, 'file' | 'registry' | 'cache'>): string {
  const { registry } = manifest;
  const cacheHost = manifest.cache.registry?.ref.split('/')[0];
  const hosts = [registry.builderHost, ...(cacheHost ? [cacheHost] : [])].filter((h, i, all) => all.indexOf(h) === i);
  const lines = [
    `# buildkitd.toml registry section for the builder of ${manifest.file}`,
    '# use: buildkitd --config FILE, or docker buildx create --buildkitd-config FILE',
  ];
  for (const host of hosts) lines.push('', ...hostSection(manifest, host));
  if (registry.host !== registry.builderHost)
    lines.push(
      '',
      `# FROM ${registry.host}/… pulls through the name the builder reaches`,
      `[registry.${tomlString(registry.host)}]`,
      `  mirrors = ${tomlArray([registry.builderHost])}`,
    );
  return `${lines.join('\n')}\n`;
}

/** The `[registry."host"]` table for one host, or a comment saying it needs none. */
export function hostSection(manifest: Pick<Manifest, 'registry'>, host: string): string[] {
  const settings = manifest.registry.hosts[host];
  const insecure = settings?.insecure ?? manifest.registry.insecure;
  if (insecure) return [`[registry.${tomlString(host)}]`, '  http = true'];
  if (settings?.caFile)
    return [
      `# the CA's path as the daemon sees it: copy ${settings.caFile} there if the daemon runs elsewhere`,
      `[registry.${tomlString(host)}]`,
      `  ca = ${tomlArray([settings.caFile])}`,
    ];
  return [`# ${host}: HTTPS with a trusted certificate, nothing to configure`];
}
