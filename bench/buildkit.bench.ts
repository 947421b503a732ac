/**
 * BuildKit as the builder (driver buildctl), N services of the fleet fixture against a daemon of
 * the bench's own on loopback and a registry of its own: a cold builder (fresh daemon root) with
 * a warm registry cache (`cache.registry`, filled by an untimed run of the same sources under
 * another namespace) against one without. (The push-limit comparison, one solve against two, ran
 * at commit 355a395, where the two-solve path existed; bench/results.md has its figure.)
 *
 * `node --import tsx bench/buildkit.bench.ts [--services 12] [--rounds 2]`
 * (IMAGEFLEET_BUILDKITD / IMAGEFLEET_BUILDCTL, or ../shared/tools/buildkit). Prints Markdown.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { randomBytes } from 'node:crypto';
import { execa } from 'execa';
import { buildkitPart } from '../test/support/parts.js';
import { startBuildkitd } from '../test/support/buildkitd.js';
import { startRegistry } from '../test/support/registry-server.js';
import { makeFixture, type Fixture } from './fixture.js';
import { NX_ENV, nxBin } from './contestants.js';

const { values } = parseArgs({
  options: {
    services: { type: 'string', default: '12' },
    rounds: { type: 'string', default: '2' },
  },
});
const N = Number(values.services);
const ROUNDS = Number(values.rounds);
const buildkit = buildkitPart();
if (!buildkit.found) process.exit(2);

interface Timed {
  seconds: number;
  buildSeconds: number;
  pushSeconds: number;
}

const registry = await startRegistry();

/** One cold `nx run-many -t push` with its own daemon root; every row must be pushed. */
async function run(fixture: Fixture, manifest: string, env: Record<string, string> = {}): Promise<Timed> {
  writeFileSync(join(fixture.dir, 'services.manifest.yaml'), manifest);
  const daemon = await startBuildkitd({
    buildkitd: buildkit.files['buildkitd']!,
    buildctl: buildkit.files['buildctl']!,
    toml: `[registry."${registry.host}"]\n  http = true\n`,
  });
  try {
    const started = Date.now();
    const r = await execa(process.execPath, [nxBin(), 'run-many', '-t', 'push', '--skip-nx-cache', '--verbose'], {
      cwd: fixture.dir,
      env: { ...NX_ENV, ...env, BUILDKIT_HOST: daemon.addr },
      reject: false,
      all: true,
    });
    const seconds = (Date.now() - started) / 1000;
    const summary = JSON.parse(
      readFileSync(join(fixture.dir, 'artifacts/image-build-logs/build-summary-dev.json'), 'utf8'),
    ) as { rows: { status: string; buildSeconds: number; pushSeconds: number }[] };
    const bad = summary.rows.filter((row) => row.status !== 'pushed');
    if (r.exitCode !== 0 || bad.length || summary.rows.length !== N + 1)
      throw new Error(`run failed (${bad.length} not pushed): ${(r.all ?? '').slice(-2000)}`);
    const sum = (k: 'buildSeconds' | 'pushSeconds') => summary.rows.reduce((a, row) => a + row[k], 0);
    return { seconds, buildSeconds: sum('buildSeconds'), pushSeconds: sum('pushSeconds') };
  } finally {
    await daemon.stop();
  }
}

/** Each fixture's manifest as made, before any run rewrote it. */
const original = new Map<Fixture, string>();

function manifestFor(fixture: Fixture, namespace: string, extra: { concurrency: string; cache?: string }): string {
  if (!original.has(fixture)) original.set(fixture, readFileSync(join(fixture.dir, 'services.manifest.yaml'), 'utf8'));
  const text = original.get(fixture)!;
  return text
    .replace(/builder:\n(  .*\n)+/, `builder:\n  driver: buildctl\n  buildctl: ${buildkit.files['buildctl']}\n`)
    .replace(/namespace: .*/, `namespace: ${namespace}`)
    .replace(/concurrency:\n(  .*\n)+/, `concurrency:\n${extra.concurrency}${extra.cache ?? ''}`);
}

const fresh = () =>
  makeFixture({ services: N, registryHost: registry.host, salt: randomBytes(6).toString('hex'), label: 'bench-bk' });
const ns = () => `bk${randomBytes(4).toString('hex')}`;
const fmt = (t: Timed) =>
  `${t.seconds.toFixed(2)} s (build ${t.buildSeconds.toFixed(1)} s, push ${t.pushSeconds.toFixed(1)} s in all rows)`;
const out: string[] = [];

{
  const concurrency = '  push: 2\n';
  const results: Record<string, Timed[]> = { 'warm registry cache': [], 'no cache': [] };
  for (let round = 0; round < ROUNDS; round++) {
    const fixture = fresh();
    try {
      const cacheNs = ns();
      const cache = `cache:\n  registry:\n    ref: ${registry.host}/${cacheNs}/{service}:buildcache\n    mode: max\n`;
      await run(fixture, manifestFor(fixture, ns(), { concurrency, cache })); // fills the cache, untimed
      for (const mode of round % 2 ? ['no cache', 'warm registry cache'] : ['warm registry cache', 'no cache']) {
        const manifest = manifestFor(fixture, ns(), { concurrency, ...(mode === 'no cache' ? {} : { cache }) });
        results[mode]!.push(await run(fixture, manifest));
      }
    } finally {
      fixture.dispose();
    }
  }
  out.push(`### registry build cache (N=${N}, a cold builder: fresh daemon root each run)`, '');
  for (const [mode, times] of Object.entries(results)) out.push(`- ${mode}: ${times.map(fmt).join('; ')}`);
  out.push('');
}

await registry.stop();
process.stdout.write(`${out.join('\n')}\n`);
