/**
 * `cluster-config --for buildkitd` is what the builder needs: a BuildKit daemon started without
 * it cannot pull the base this run pushed to a plain-HTTP registry under a non-loopback address
 * (the imagefleet-e2 namespace's host side, 10.203.0.1), and the row says BuildKit's error with
 * the exact toml line; started with the generated file, the same run pushes and verifies.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { buildkitPart } from '../support/parts.js';
import { startBuildkitd, type RunningBuildkitd } from '../support/buildkitd.js';
import { makeWorkspace, summaryRows, type TestWorkspace } from '../support/workspace.js';

const buildkit = buildkitPart();
const PORT = process.env['IMAGEFLEET_REGISTRY_PORT'] || '5001';
/** The dev registry as the imagefleet-e2 namespace reaches it (tools/dev-env/up.sh --second-engine). */
const BUILDER_HOST = `10.203.0.1:${PORT}`;

describe.skipIf(!buildkit.found)('buildkitd.toml from the manifest: an HTTP registry off loopback', () => {
  const daemons: RunningBuildkitd[] = [];
  let ws: TestWorkspace;
  const start = async (toml: string) => {
    const d = await startBuildkitd({
      buildkitd: buildkit.files['buildkitd']!,
      buildctl: buildkit.files['buildctl']!,
      toml,
    });
    daemons.push(d);
    return d;
  };

  beforeAll(async () => {
    const answers = await fetch(`http://${BUILDER_HOST}/v2/`).then(
      (r) => r.status,
      () => 0,
    );
    if (answers !== 200)
      throw new Error(
        `the dev registry does not answer at ${BUILDER_HOST}: run \`bash tools/dev-env/up.sh --second-engine\``,
      );
    ws = makeWorkspace({
      apps: ['platform-base', 'www-ameide'],
      manifest: `registry:
  host: localhost:${PORT}
  builderHost: ${BUILDER_HOST}
  namespace: toml${randomBytes(3).toString('hex')}
  insecure: true
builder:
  driver: buildctl
  buildctl: ${buildkit.files['buildctl']}
services:
  platform-base:
    context: apps/platform-base
  www-ameide:
    context: apps/www-ameide
    dependsOn: [platform-base]
`,
    });
  });

  afterAll(async () => {
    for (const d of daemons) await d.stop();
    ws?.dispose();
  });

  it('without it: BuildKit speaks HTTPS to the registry, and the row gives the toml line', async () => {
    const daemon = await start('');
    const run = await ws.nx(['run-many', '-t', 'push'], { BUILDKIT_HOST: daemon.addr });
    expect(run.exitCode).not.toBe(0);
    const row = summaryRows(ws)['www-ameide']!;
    expect(row['status'], row['line']).toBe('failed');
    // The CSV doubles the quotes inside a quoted cell.
    expect(row['line']!.replaceAll('""', '"')).toContain(
      `the builder spoke HTTPS to ${BUILDER_HOST}, which is plain HTTP ("server gave HTTP response to HTTPS client"): add [registry."${BUILDER_HOST}"] http = true to the builder's buildkitd.toml`,
    );
  }, 180_000);

  it('with the generated file: the same run pushes and verifies', async () => {
    const generated = await ws.cli(['cluster-config', '--for', 'buildkitd']);
    expect(generated.exitCode, generated.all).toBe(0);
    expect(generated.stdout).toContain(`[registry."${BUILDER_HOST}"]\n  http = true`);
    const daemon = await start(generated.stdout);
    const run = await ws.nx(['run-many', '-t', 'push'], { BUILDKIT_HOST: daemon.addr });
    expect(run.exitCode, run.all.slice(-3000)).toBe(0);
    expect(summaryRows(ws)['www-ameide']).toMatchObject({ status: 'pushed', verify: 'verified' });
    const doctor = await ws.cli(['doctor'], { BUILDKIT_HOST: daemon.addr });
    expect(doctor.stdout, doctor.all).toContain(`✓ builder → ${BUILDER_HOST}: the builder pulls`);
  }, 180_000);
});
