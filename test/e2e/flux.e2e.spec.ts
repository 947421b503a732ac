/**
 * GitOps that Flux can follow, against the real engine and a real registry: tags rendered from
 * git (the commit's short sha and time), the OCI labels in the pushed config, `flux check`
 * applying the generated policy to the registry's tags (it picks the second of two pushes, and
 * fails naming the service and the tag once a decoy that sorts higher is pushed by hand), the
 * Flux objects written, and setter markers rewritten in a values file by `pin`.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { appendFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { useRegistryWorkspace } from '../support/registry-workspace.js';
import { DOCKER } from '../support/workspace.js';

const ACCEPT =
  'application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json, application/vnd.oci.image.index.v1+json';

function manifest(host: string): string {
  return [
    'registry:',
    `  host: ${host}`,
    '  namespace: ameide',
    'builder:',
    `  docker: ${DOCKER}`,
    'defaults:',
    '  tags: ["dev-{shortSha}-{timestamp}"]',
    'services:',
    '  platform-base:',
    '    labels:',
    '      org.opencontainers.image.description: the demo base',
    '',
  ].join('\n');
}

describe('tag templates, labels, flux check, markers', () => {
  const setup = useRegistryWorkspace(manifest, ['platform-base']);
  const shas: string[] = [];
  const git = (args: string[], time?: number) =>
    execa('git', ['-c', 'user.email=t@t', '-c', 'user.name=t', ...args], {
      cwd: setup.ws.dir,
      env: time ? { GIT_COMMITTER_DATE: `@${time} +0000`, GIT_AUTHOR_DATE: `@${time} +0000` } : {},
    });
  const commit = async (time: number) => {
    await git(['add', '-A']);
    await git(['commit', '-qm', `at ${time}`], time);
    shas.push((await git(['rev-parse', 'HEAD'])).stdout.trim());
  };
  const push = async () => {
    const run = await setup.ws.cli(['run', 'push']);
    expect(run.exitCode, run.all.slice(-3000)).toBe(0);
  };
  const tagOf = (i: number, time: number) => `dev-${shas[i]!.slice(0, 7)}-${time}`;
  const registry = (path: string, init: RequestInit = {}) =>
    fetch(`http://${setup.registry.host}/v2/ameide/platform-base/${path}`, init);
  const manifestOf = async (ref: string) => {
    const r = await registry(`manifests/${ref}`, { headers: { Accept: ACCEPT } });
    return {
      body: await r.text(),
      type: r.headers.get('content-type') ?? '',
      digest: r.headers.get('docker-content-digest'),
    };
  };
  const configLabels = async (ref: string): Promise<Record<string, string>> => {
    let m = JSON.parse((await manifestOf(ref)).body) as {
      config?: { digest: string };
      manifests?: { digest: string; platform?: { os: string } }[];
    };
    if (m.manifests)
      m = JSON.parse((await manifestOf(m.manifests.find((c) => c.platform?.os !== 'unknown')!.digest)).body);
    const config = (await (await registry(`blobs/${m.config!.digest}`)).json()) as {
      config: { Labels: Record<string, string> };
    };
    return config.config.Labels;
  };

  beforeAll(async () => {
    await execa('git', ['init', '-q', '-b', 'main'], { cwd: setup.ws.dir });
    await commit(1700000100);
    await push();
  }, 300_000);

  it('renders the template from the commit, and the pushed config carries the OCI labels with the revision', async () => {
    const tag = tagOf(0, 1700000100);
    const row = JSON.parse(
      readFileSync(join(setup.ws.dir, 'artifacts/image-build-logs/build-summary-dev.json'), 'utf8'),
    ) as { rows: { tags: string; status: string }[] };
    expect(row.rows[0]).toMatchObject({ status: 'pushed', tags: expect.stringContaining(tag) });
    expect((await manifestOf(tag)).digest).toBe((await manifestOf('dev')).digest);
    expect(await configLabels(tag)).toMatchObject({
      'org.opencontainers.image.revision': shas[0],
      'org.opencontainers.image.title': 'platform-base',
      'org.opencontainers.image.version': tag,
      'org.opencontainers.image.description': 'the demo base',
      'org.imagefleet.service': 'platform-base',
    });
    const pins = JSON.parse(readFileSync(join(setup.ws.dir, 'artifacts/image-digests.json'), 'utf8')) as Record<
      string,
      { version: string; revision: string }
    >;
    expect(pins['platform-base']).toMatchObject({ version: tag, revision: shas[0] });
  });

  it('two pushes with a change between them: flux check passes and picks the second; a decoy that sorts higher fails it', async () => {
    appendFileSync(join(setup.ws.dir, 'apps/platform-base/Dockerfile'), '\nLABEL second=push\n');
    await commit(1700000200);
    await push();
    const second = tagOf(1, 1700000200);
    const passed = await setup.ws.cli(['flux', 'check']);
    expect(passed.exitCode, passed.all).toBe(0);
    expect(passed.stdout).toContain(`platform-base: Flux selects "${second}"`);

    const first = await manifestOf(tagOf(0, 1700000100));
    const decoy = 'dev-0000000-1900000000';
    const put = await registry(`manifests/${decoy}`, {
      method: 'PUT',
      headers: { 'Content-Type': first.type },
      body: first.body,
    });
    expect(put.status).toBe(201);
    const failed = await setup.ws.cli(['flux', 'check']);
    expect(failed.exitCode).toBe(1);
    expect(failed.stderr).toContain(
      `platform-base: Flux would select "${decoy}", not "${second}" that this machine last pushed and verified`,
    );
  }, 300_000);

  it('flux --out writes the objects; pin rewrites the setter markers, leaving the rest of the file', async () => {
    const out = await setup.ws.cli(['flux', '--out', 'flux']);
    expect(out.exitCode, out.all).toBe(0);
    const policy = readFileSync(join(setup.ws.dir, 'flux/platform-base.yaml'), 'utf8');
    expect(policy).toContain('apiVersion: image.toolkit.fluxcd.io/v1');
    expect(policy).toContain('pattern: ^dev-[0-9a-f]{7}-(?P<ts>[0-9]+)$');
    expect(policy).toContain('insecure: true');

    const values = [
      '# values for platform-base',
      'image:',
      '  repository: old/name # {"$imagepolicy": "flux-system:platform-base:name"}',
      '  tag: "dev-0000000-1" # {"$imagepolicy": "flux-system:platform-base:tag"}',
      'sidecar: old:1 # {"$imagepolicy": "flux-system:other"}',
      '',
    ].join('\n');
    setup.ws.write('gitops/platform-base/values.yaml', values);
    const pin = await setup.ws.cli(['pin', '--values', 'gitops/{service}/values.yaml']);
    expect(pin.exitCode, pin.all).toBe(0);
    const second = tagOf(1, 1700000200);
    expect(readFileSync(join(setup.ws.dir, 'gitops/platform-base/values.yaml'), 'utf8')).toBe(
      values
        .replace('old/name', `${setup.registry.host}/ameide/platform-base`)
        .replace('"dev-0000000-1"', `"${second}"`),
    );
  }, 120_000);
});
