/**
 * When BuildKit pushes (driver buildctl), the stall watch reads BuildKit's own progress: once
 * `pushing layers` is printed, a push whose uploads stall (the fault proxy holds every upload of
 * the first attempt) prints nothing, is cancelled after `push.stallSeconds`, retried under the
 * push limit, and lands — verified from this machine through the proxy's registry.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildkitPart } from '../support/parts.js';
import { startBuildkitd, type RunningBuildkitd } from '../support/buildkitd.js';
import { startRegistry, type RunningRegistry } from '../support/registry-server.js';
import { stallFirst, startFaultProxy, type FaultRule, type RunningFaultProxy } from '../support/fault-proxy.js';
import { makeWorkspace, summaryRows, type TestWorkspace } from '../support/workspace.js';

const buildkit = buildkitPart();
const STALL_SECONDS = 4;
const SERVICE = 'random-layer';

describe.skipIf(!buildkit.found)('a stalled push by the builder: cancelled, retried, landed', () => {
  let daemon: RunningBuildkitd;
  let registry: RunningRegistry;
  let proxy: RunningFaultProxy;
  let ws: TestWorkspace;

  beforeAll(async () => {
    registry = await startRegistry();
    // Every upload of the first attempt stalls, from the first one until stallSeconds + 1 s later;
    // the proxy holds a stalled request 30 s, so anything ending it earlier is the watch.
    let firstStall = 0;
    const stallFirstAttempt: FaultRule = (req) => {
      if (req.kind !== 'upload') return undefined;
      firstStall ||= Date.now();
      return Date.now() - firstStall < (STALL_SECONDS + 1) * 1000
        ? stallFirst('upload', Infinity, 30_000)(req)
        : undefined;
    };
    proxy = await startFaultProxy({ upstream: registry.host, rules: [stallFirstAttempt], pusherAgent: /./ });
    daemon = await startBuildkitd({
      buildkitd: buildkit.files['buildkitd']!,
      buildctl: buildkit.files['buildctl']!,
      toml: `[registry."${proxy.host}"]\n  http = true\n`,
    });
    ws = makeWorkspace({
      apps: [],
      manifest: `registry:
  host: ${proxy.host}
  namespace: fleet
  insecure: true
builder:
  driver: buildctl
  buildctl: ${buildkit.files['buildctl']}
  endpoint: ${daemon.addr}
push:
  stallSeconds: ${STALL_SECONDS}
  retries: 2
services:
  ${SERVICE}: {}
`,
      files: {
        [`apps/${SERVICE}/Dockerfile`]: `FROM scratch
COPY busybox /bin/busybox
RUN ["/bin/busybox", "sh", "-c", "/bin/busybox head -c 20000000 /dev/urandom > /random"]
`,
      },
    });
    copyFileSync('/bin/busybox', join(ws.dir, 'apps', SERVICE, 'busybox'));
  }, 60_000);

  afterAll(async () => {
    ws?.dispose();
    await daemon?.stop();
    await proxy?.stop();
    await registry?.stop();
  });

  it(`caught after ${STALL_SECONDS} s of BuildKit saying nothing while it pushed, then pushed in attempt 2`, async () => {
    const run = await ws.nx(['run-many', '-t', 'push']);
    const log = readFileSync(join(ws.dir, 'artifacts/image-build-logs', `${SERVICE}_dev.log`), 'utf8');
    expect(proxy.stats.faults.stall, log.slice(-3000)).toBeGreaterThanOrEqual(1);
    expect(run.exitCode, log.slice(-3000)).toBe(0);
    expect(summaryRows(ws)[SERVICE]).toMatchObject({ status: 'pushed', verify: 'verified', attempts: '2' });
    expect(log).toContain('pushing layers');
    expect(log).toMatch(
      new RegExp(`push attempt 1/3 failed: no output for ${STALL_SECONDS} s while the builder pushed: stalled, killed`),
    );
  }, 180_000);
});
