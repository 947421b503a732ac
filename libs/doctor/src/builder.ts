/**
 * The builder's point of view when it is a BuildKit daemon (driver buildctl), checked where the
 * builder runs, not through this machine's dockerd: buildctl is there, the daemon answers
 * `debug workers` within seconds, and the daemon itself reaches `registry.builderHost` (a probe
 * build that resolves one FROM there: BuildKit's own error names an HTTP registry its
 * buildkitd.toml does not mark `http = true`). Also: which manifest values the environment replaced.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildctlConnection, createBuilder } from '@imagefleet/buildkit';
import { hostSection } from '@imagefleet/cluster';
import type { Manifest } from '@imagefleet/manifest';
import { BUILDER_PROBE_TIMEOUT_MS, builderUnreachable } from '@imagefleet/pipeline';
import { runCommand } from '@imagefleet/process';
import { fail, pass, type DoctorCheck } from './types.js';

export async function buildctlSection(manifest: Manifest): Promise<DoctorCheck[]> {
  const { builder } = manifest;
  const where = builder.endpoint ?? 'unix:///run/buildkit/buildkitd.sock';
  const probe = createBuilder(builder).probe()!;
  const res = await runCommand(probe.file, probe.args, { timeoutMs: BUILDER_PROBE_TIMEOUT_MS });
  const name = `buildctl ${where}`;
  if (!res.ok) return [fail(name, builderUnreachable(manifest, probe.file, res.reason), 'see above')];
  const workers = res.stdout.split('\n').filter((l) => /^\S{10,}\s/.test(l) && !/^ID\s/.test(l)).length;
  return [pass(name, `BuildKit answers (${workers} worker(s))`), await builderReachesRegistry(manifest)];
}

/** A build whose only step resolves `FROM <builderHost>/<ns>/<service>:<tag>`: no output, nothing pushed. */
async function builderReachesRegistry(manifest: Manifest): Promise<DoctorCheck> {
  const { registry, builder } = manifest;
  const service = manifest.services[0]!;
  const ref = `${registry.builderHost}/${registry.namespace}/${service.name}:${service.tags[0]}`;
  const name = `builder → ${registry.builderHost}`;
  const dir = await mkdtemp(join(tmpdir(), 'imagefleet-probe-'));
  try {
    await writeFile(join(dir, 'Dockerfile'), `FROM ${ref}\n`);
    const args = [
      ...buildctlConnection(builder),
      'build',
      '--frontend',
      'dockerfile.v0',
      '--local',
      `context=${dir}`,
      '--local',
      `dockerfile=${dir}`,
    ];
    const res = await runCommand(builder.buildctl, args, { timeoutMs: BUILDER_PROBE_TIMEOUT_MS * 2 });
    const output = `${res.stdout}\n${res.stderr}`;
    if (res.ok) return pass(name, `the builder pulls ${ref}`);
    if (/HTTP response to HTTPS client/i.test(output))
      return fail(
        name,
        `the builder speaks HTTPS to ${registry.builderHost}, a plain-HTTP registry ("server gave HTTP response to HTTPS client")`,
        `add to the daemon's buildkitd.toml: ${hostSection(manifest, registry.builderHost).join(' ')} (imagefleet cluster-config --for buildkitd)`,
      );
    if (/not found|manifest unknown|NAME_UNKNOWN/i.test(output))
      return pass(name, `the builder reaches it (${ref} is not there yet)`);
    return fail(name, `a probe build FROM ${ref}: ${lastLine(output)}`, 'check the registry as the builder sees it');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** One line per value the environment replaced: environment over manifest, the one rule. */
export function overrideChecks(manifest: Manifest): DoctorCheck[] {
  return manifest.overrides.map((o) => pass('environment', `${o.env}=${o.value} (over ${o.field})`));
}

function lastLine(text: string): string {
  return (
    text
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean)
      .at(-1) ?? ''
  );
}
