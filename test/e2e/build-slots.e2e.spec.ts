/**
 * `concurrency.build` for real: with four leaves ready at once and the build limit at one,
 * no two `docker build`s of the run ever overlap (read from the services' time-stamped logs),
 * while every service is still pushed and verified.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { useRegistryWorkspace } from '../support/registry-workspace.js';
import { DOCKER } from '../support/workspace.js';

const SERVICES = ['platform-base', 'inference-gateway', 'workflows-runtime', 'workflow-worker', 'www-ameide'];

function manifest(host: string): string {
  const leaves = SERVICES.slice(1)
    .map((s) => `  ${s}:\n    dependsOn: [platform-base]\n`)
    .join('');
  return `registry:\n  host: ${host}\n  pushHost: ${host}\n  namespace: ameide\nbuilder:\n  docker: ${DOCKER}\nconcurrency:\n  push: 2\n  build: 1\nservices:\n  platform-base: {}\n${leaves}`;
}

/** [start, end] of the service's build: from the builder's command line to its last line. */
function buildInterval(log: string): [number, number] {
  const at = (pattern: RegExp) => {
    const line = log.split('\n').find((l) => pattern.test(l));
    if (!line) throw new Error(`no line matching ${pattern} in the log`);
    return Date.parse(line.slice(0, line.indexOf(' ')));
  };
  return [at(/ \$ \S*docker build /), at(/ build finished after /)];
}

describe('concurrency.build', () => {
  const setup = useRegistryWorkspace(manifest, SERVICES);

  it('never has two builds in flight when the limit is 1, whatever --parallel says', async () => {
    const { ws } = setup;
    const run = await ws.nx(['run-many', '-t', 'push', '--parallel=4', '--outputStyle=stream']);
    expect(run.exitCode, run.all.slice(-3000)).toBe(0);
    const logs = join(ws.dir, 'artifacts', 'image-build-logs');
    const intervals = SERVICES.map((s) => buildInterval(readFileSync(join(logs, `${s}_dev.log`), 'utf8'))).sort(
      (a, b) => a[0] - b[0],
    );
    for (let i = 1; i < intervals.length; i++) {
      // Slot taken only after the previous holder's build ended (log lines are ms-stamped).
      expect(intervals[i]![0], `build ${i} started before build ${i - 1} ended`).toBeGreaterThanOrEqual(
        intervals[i - 1]![1],
      );
    }
    const csv = readFileSync(join(logs, 'build-summary-dev.csv'), 'utf8');
    expect(csv.match(/,pushed,/g)).toHaveLength(SERVICES.length);
  }, 300_000);
});
