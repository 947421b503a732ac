/**
 * `buildctl build` against a BuildKit daemon at `builder.endpoint` (tcp://, unix://, or
 * BUILDKIT_HOST when the manifest names none): no Docker anywhere. The daemon builds and pushes
 * to `registry.builderHost`, and the pushed digest comes from `--metadata-file`
 * (`containerimage.digest`), verified from this machine like every other driver's. Registry
 * credentials are read by buildctl itself, on this machine, from `$DOCKER_CONFIG/config.json`.
 */
import { basename, dirname } from 'node:path';
import type { BuilderTls } from '@imagefleet/manifest';
import type { Builder, BuildSpec, CommandLine } from './types.js';

export interface BuildctlOptions {
  /** The buildctl binary. */
  buildctl: string;
  /** `--addr`, or null to leave it to buildctl (BUILDKIT_HOST, else its default socket). */
  endpoint: string | null;
  tls: BuilderTls | null;
}

/** The global flags that pick the daemon: `--addr` and TLS (also what `buildctl debug workers` needs). */
export function buildctlConnection(opts: Omit<BuildctlOptions, 'buildctl'>): string[] {
  const args = opts.endpoint ? ['--addr', opts.endpoint] : [];
  const tls = opts.tls;
  if (tls?.caFile) args.push('--tlscacert', tls.caFile);
  if (tls?.certFile) args.push('--tlscert', tls.certFile);
  if (tls?.keyFile) args.push('--tlskey', tls.keyFile);
  if (tls?.serverName) args.push('--tlsservername', tls.serverName);
  return args;
}

export function buildctlArgs(spec: BuildSpec, opts: Omit<BuildctlOptions, 'buildctl'>): string[] {
  const args = [
    ...buildctlConnection(opts),
    'build',
    '--progress=plain',
    '--frontend',
    'dockerfile.v0',
    '--local',
    `context=${spec.context}`,
    '--local',
    `dockerfile=${dirname(spec.dockerfile)}`,
    '--opt',
    `filename=${basename(spec.dockerfile)}`,
  ];
  for (const [k, v] of sorted(spec.buildArgs)) args.push('--opt', `build-arg:${k}=${v}`);
  for (const [k, v] of sorted(spec.labels)) args.push('--opt', `label:${k}=${v}`);
  const hosts = sorted(spec.addHosts ?? {});
  if (hosts.length) args.push('--opt', `add-hosts=${hosts.map(([name, ip]) => `${name}=${ip}`).join(',')}`);
  if (spec.network && spec.network !== 'default') {
    args.push('--opt', `force-network-mode=${spec.network}`);
    if (spec.network === 'host') args.push('--allow', 'network.host');
  }
  for (const name of spec.secrets) {
    const file = spec.secretFiles?.[name];
    if (file === undefined)
      throw new Error(
        `secret ${name} needed by service ${spec.service} has no file: buildctl takes secrets as files (withSecretFiles)`,
      );
    args.push('--secret', `id=${name},src=${file}`);
  }
  const output = [`type=image`, `name=${spec.tags.join(',')}`, `push=${spec.push ? 'true' : 'false'}`];
  if (spec.push?.insecure) output.push('registry.insecure=true');
  // Quoted: the names are comma-separated inside one CSV field.
  args.push('--output', output.map((f) => (f.startsWith('name=') && spec.tags.length > 1 ? `"${f}"` : f)).join(','));
  args.push('--metadata-file', spec.push?.metadataFile ?? spec.iidFile);
  if (spec.cache) {
    const insecure = spec.cache.insecure ? ',registry.insecure=true' : '';
    args.push('--export-cache', `type=registry,ref=${spec.cache.ref},mode=${spec.cache.mode}${insecure}`);
    args.push('--import-cache', `type=registry,ref=${spec.cache.ref}${insecure}`);
  }
  return args;
}

export function createBuildctlBuilder(opts: BuildctlOptions): Builder {
  return {
    driver: 'buildctl',
    pushesItself: true,
    buildCommand(spec): CommandLine {
      return { file: opts.buildctl, args: buildctlArgs(spec, opts), env: {} };
    },
    probe: () => ({ file: opts.buildctl, args: [...buildctlConnection(opts), 'debug', 'workers'], env: {} }),
  };
}

function sorted(record: Record<string, string>): [string, string][] {
  return Object.entries(record).sort(([a], [b]) => a.localeCompare(b));
}
