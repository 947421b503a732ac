/**
 * The fleet benchmark (issue 20, "Targets"): a fixture monorepo of N services, pushed cold, warm
 * (nothing changed) and with one service changed — by the seed-style baseline script at its
 * best JOBS, by `docker buildx bake --push`, and by plain `nx run-many -t push --jobs=JOBS` (one
 * batch process) — side by side in the same rounds, with Nx's own floor (`nx run-many` over the
 * same projects, every task a cache hit). Prints a Markdown table (also written to
 * bench/results.md, or to `--out`) with PASS/FAIL per target; a missed target is reported, not
 * an error exit.
 *
 * Run: `node --import tsx bench/fleet.bench.ts [--sizes 12,40] [--rounds 1] [--jobs 1,2,4]
 * [--payload-kib 200] [--loops 20000] [--builder docker|buildx-push] [--push-limit 2]
 * [--only baseline,bake,nx] [--out FILE]` (`npm run bench` runs bench/verify.bench.ts first).
 */
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { execa } from 'execa';
import { startRegistry, type RunningRegistry } from '../test/support/registry-server.js';
import { FIXTURE_BUILDERS, makeFixture, type Fixture, type FixtureBuilder } from './fixture.js';
import {
  ISOLATE_PLUGINS,
  nxBin,
  ownBuildPush,
  phaseNote,
  phaseRecord,
  runContestant,
  timeCommand,
  type ContestantName,
  type RunResult,
  type Scenario,
} from './contestants.js';
import { load, machineInfo, removeBenchImages, removeImagesPushedTo, requireEngine } from './machine.js';
import { best, renderReport, renderTable, renderVerdicts, type Cell, type SizeResult } from './report.js';

const { values } = parseArgs({
  options: {
    sizes: { type: 'string', default: '12,40' },
    rounds: { type: 'string', default: '1' },
    // JOBS tried for the baseline at the first size; later sizes try the best two of these.
    jobs: { type: 'string', default: '1,2,4' },
    // Where the report goes (a validation run writes elsewhere than bench/results.md).
    out: { type: 'string' },
    // Each service's payload and CPU work (issue 20: 2048 / 250000 at N=40, 64 / 25000 at N=120).
    'payload-kib': { type: 'string', default: '200' },
    loops: { type: 'string', default: '20000' },
    // How the nx contestant builds, and its push limit (issue 20's candidates).
    builder: { type: 'string', default: 'docker' },
    'push-limit': { type: 'string', default: '2' },
    // Which contestants run (an experiment on the nx path need not wait for the others).
    only: { type: 'string', default: 'baseline,bake,nx' },
  },
});
const sizes = values.sizes
  .split(',')
  .map(Number)
  .filter((n) => Number.isInteger(n) && n > 0);
const rounds = Math.max(1, Number(values.rounds) || 1);
const jobsFirst = values.jobs
  .split(',')
  .map(Number)
  .filter((n) => Number.isInteger(n) && n > 0);
const payloadKib = Number(values['payload-kib']);
const loops = Number(values.loops);
const only = new Set(values.only.split(','));
if (![...only].every((c) => ['baseline', 'bake', 'nx'].includes(c)))
  throw new Error(`--only takes a list of baseline, bake and nx, got "${values.only}"`);
const builder = values.builder as FixtureBuilder;
const pushLimit = Number(values['push-limit']);
if (!FIXTURE_BUILDERS.includes(builder) || !Number.isInteger(pushLimit) || pushLimit < 1)
  throw new Error(
    `--builder takes ${FIXTURE_BUILDERS.join(' or ')} and --push-limit a positive integer, got "${values.builder}" and "${values['push-limit']}"`,
  );
if (!(payloadKib > 0) || !Number.isInteger(loops) || loops < 0)
  throw new Error(
    `--payload-kib takes a positive number and --loops an integer, got "${values['payload-kib']}" and "${values.loops}"`,
  );
if (!sizes.length || !jobsFirst.length)
  throw new Error(`--sizes and --jobs take lists of positive integers, got "${values.sizes}" and "${values.jobs}"`);

const benchId = `fleet-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
const RESULTS = values.out ? resolve(values.out) : join(import.meta.dirname, 'results.md');
const log = (line: string) => process.stderr.write(`[bench] ${line}\n`);

/** A contestant's world: its own registry and its own salted fixture. */
interface Env {
  registry: RunningRegistry;
  fixture: Fixture;
}
const live = new Set<Env>();
const registryHosts = new Set<string>();
let salt = 0;

async function freshEnv(n: number, who: string): Promise<Env> {
  const registry = await startRegistry();
  registryHosts.add(registry.host);
  const fixture = makeFixture({
    services: n,
    registryHost: registry.host,
    salt: `${benchId}-${who}-${salt++}`,
    label: benchId,
    payloadBytes: Math.round(payloadKib * 1024),
    loops,
    builder,
    pushLimit,
  });
  const env = { registry, fixture };
  live.add(env);
  return env;
}

async function release(env: Env): Promise<void> {
  live.delete(env);
  await removeImagesPushedTo(env.fixture.registryHost);
  await env.registry.stop();
  env.fixture.dispose();
}

async function cleanUp(): Promise<void> {
  for (const env of [...live]) await release(env).catch(() => undefined);
  const removed = await removeBenchImages(benchId, registryHosts);
  log(`clean-up: ${removed} image(s) removed, registries stopped, fixtures deleted`);
}

let interrupted = false;
process.once('SIGINT', () => {
  interrupted = true;
  log('interrupted: cleaning up');
  void cleanUp().finally(() => process.exit(130));
});

function record(cells: Partial<Record<Scenario, Cell>>, scenario: Scenario, r: RunResult): void {
  const cell = (cells[scenario] ??= { seconds: [], ok: true });
  cell.seconds.push(r.seconds);
  cell.ok &&= r.ok;
}

async function run(
  who: ContestantName,
  env: Env,
  scenario: Scenario,
  size: SizeResult,
  extra: { jobs?: number; changed?: string | null; env?: Record<string, string>; warmUp?: boolean } = {},
): Promise<RunResult> {
  if (interrupted) throw new Error('interrupted');
  const r = await runContestant(who, {
    fixture: env.fixture,
    scenario,
    changed: extra.changed ?? null,
    jobs: extra.jobs,
    env: extra.env,
    warmUp: extra.warmUp,
  });
  const peak = size.peakRss[who];
  if (!peak || r.peakRss.mib > peak.mib) size.peakRss[who] = r.peakRss;
  const isolate = extra.env?.['NX_ISOLATE_PLUGINS'];
  const label = `N=${size.n} ${who}${extra.jobs ? ` JOBS=${extra.jobs}` : ''} ${who === 'floor' ? (extra.warmUp ? 'warm-up (untimed)' : 'every task a cache hit') : scenario}${isolate ? ` (NX_ISOLATE_PLUGINS=${isolate})` : ''}`;
  log(`${label}: ${r.seconds.toFixed(2)} s ${r.ok ? 'ok' : `CHECK FAILED: ${r.problem}`}`);
  if (!r.ok) {
    size.notes.push(`${label}: check failed — ${r.problem}`);
    process.stderr.write(`${r.tail}\n`);
  }
  return r;
}

/** The baseline: cold at each JOBS (fresh fixture each), then warm and one-changed at the best. */
async function baseline(size: SizeResult, jobsList: number[]): Promise<void> {
  const envs = new Map<number, Env>();
  for (const jobs of jobsList) {
    const env = await freshEnv(size.n, `baseline-j${jobs}`);
    envs.set(jobs, env);
    const r = await run('baseline', env, 'cold', size, { jobs });
    const cell = size.baselineCold.get(jobs) ?? { seconds: [], ok: true };
    cell.seconds.push(r.seconds);
    cell.ok &&= r.ok;
    size.baselineCold.set(jobs, cell);
  }
  const ranked = rankJobs(size.baselineCold);
  size.bestJobs = ranked[0] ?? jobsList[0]!;
  const env = envs.get(size.bestJobs) ?? envs.values().next().value!;
  for (const other of envs.values()) if (other !== env) await release(other).catch(() => undefined);
  const cold = size.baselineCold.get(size.bestJobs);
  if (cold) size.cells.baseline.cold = cold;
  record(size.cells.baseline, 'warm', await run('baseline', env, 'warm', size, { jobs: size.bestJobs }));
  const changed = leaf(env);
  env.fixture.changePayload(changed);
  record(
    size.cells.baseline,
    'one-changed',
    await run('baseline', env, 'one-changed', size, { jobs: size.bestJobs, changed }),
  );
  await release(env);
}

/** bake on a fresh fixture: cold, warm (the same bake again), one service changed. */
async function bake(size: SizeResult): Promise<void> {
  const env = await freshEnv(size.n, 'bake');
  try {
    for (const scenario of ['cold', 'warm'] as const)
      record(size.cells.bake, scenario, await run('bake', env, scenario, size));
    const changed = leaf(env);
    env.fixture.changePayload(changed);
    record(size.cells.bake, 'one-changed', await run('bake', env, 'one-changed', size, { changed }));
  } finally {
    await release(env);
  }
}

/** JOBS values, fastest first (by best cold time; a failed run ranks last). */
function rankJobs(cold: Map<number, Cell>): number[] {
  const score = (c: Cell) => (c.ok ? (best(c) ?? Infinity) : Infinity);
  return [...cold].sort((a, b) => score(a[1]) - score(b[1])).map(([j]) => j);
}

const leaf = (env: Env): string => env.fixture.services[env.fixture.services.length - 1]!;

/**
 * nx run-many and Nx's floor on one fresh fixture: cold; the floor warmed (untimed); then warm,
 * the floor, warm with the other NX_ISOLATE_PLUGINS (a note), the floor again; one service changed.
 */
async function contender(size: SizeResult, opts: { probes: boolean }): Promise<void> {
  const env = await freshEnv(size.n, 'nx');
  try {
    const cells = size.cells.nx;
    // As many builds at a time as the baseline's best JOBS (`--jobs=JOBS`).
    const jobs = size.bestJobs;
    const cold = await run('nx', env, 'cold', size, { jobs });
    record(cells, 'cold', cold);
    size.notes.push(`nx cold ${cold.seconds.toFixed(2)} s: ${phaseNote(cold, 'cold', null)}`);
    size.notes.push(`nx cold ${cold.seconds.toFixed(2)} s, ${phaseRecord(cold, env.fixture)}`);
    await run('floor', env, 'warm', size, { warmUp: true });
    const warm = await run('nx', env, 'warm', size, { jobs });
    record(cells, 'warm', warm);
    size.notes.push(`nx warm ${warm.seconds.toFixed(2)} s: ${phaseNote(warm, 'warm', null)}`);
    const floor = [await run('floor', env, 'warm', size)];
    const other = ISOLATE_PLUGINS === 'false' ? 'true' : 'false';
    const isolated = await run('nx', env, 'warm', size, { jobs, env: { NX_ISOLATE_PLUGINS: other } });
    floor.push(await run('floor', env, 'warm', size));
    for (const f of floor) record(size.cells.floor, 'warm', f);
    size.isolate.push({ recommended: warm.seconds, other: isolated.seconds, otherOk: isolated.ok });
    const changed = leaf(env);
    env.fixture.changePayload(changed);
    const one = await run('nx', env, 'one-changed', size, { jobs, changed });
    record(cells, 'one-changed', one);
    const own = ownBuildPush(one, changed);
    if (own !== null) size.ownBuildPush.push(own);
    size.notes.push(`nx one-changed ${one.seconds.toFixed(2)} s: ${phaseNote(one, 'one-changed', changed)}`);
    if (opts.probes) {
      const show = await timeCommand(env.fixture, process.execPath, [nxBin(), 'show', 'projects']).then(
        (t) => `${t.toFixed(2)} s`,
        (e: Error) => `failed: ${e.message.split('\n')[0]}`,
      );
      size.notes.push(
        `start-up probe: \`nx show projects\` (Nx + plugin + graph of ${size.n + 1} projects, daemon off) ${show}`,
      );
    }
  } finally {
    await release(env);
  }
}

try {
  await requireEngine();
} catch (error) {
  process.stderr.write(`${(error as Error).message}\n`);
  process.exit(2);
}
// The plugin's bundle is rebuilt on first use when a source is newer than it: not in a timed run.
const bundled = await execa(process.execPath, [join(import.meta.dirname, '..', 'tools', 'nx-plugin', 'plugin.mjs')], {
  reject: false,
  all: true,
});
if (bundled.exitCode !== 0) {
  process.stderr.write(`bench: the Nx plugin does not load:\n${bundled.all ?? ''}\n`);
  process.exit(2);
}
const started = process.hrtime.bigint();
const machine = await machineInfo();
log(
  `bench ${benchId}: sizes ${sizes.join(', ')}, ${rounds} round(s); ${machine.cores} cores, docker ${machine.docker}`,
);
const results: SizeResult[] = [];
let failure: unknown;
try {
  for (const [i, n] of sizes.entries()) {
    const size: SizeResult = {
      n,
      baselineCold: new Map(),
      bestJobs: 0,
      cells: { baseline: {}, bake: {}, nx: {}, floor: {} },
      ownBuildPush: [],
      isolate: [],
      peakRss: {},
      notes: [],
      loadBefore: load(),
      loadAfter: '',
    };
    results.push(size);
    const last = i === sizes.length - 1;
    const jobsList = i === 0 ? jobsFirst : rankJobs(results[0]!.baselineCold).slice(0, 2);
    for (let round = 0; round < rounds; round++) {
      if (only.has('baseline')) await baseline(size, jobsList);
      else size.bestJobs = jobsList[0]!;
      if (only.has('bake')) await bake(size);
      if (only.has('nx')) await contender(size, { probes: round === 0 && last });
    }
    size.loadAfter = load();
    log(`N=${n} done\n${renderTable([size])}`);
  }
} catch (error) {
  failure = error;
  log(`stopped early: ${(error as Error).stack ?? String(error)}`);
} finally {
  if (!interrupted) await cleanUp();
}

const totalSeconds = Number(process.hrtime.bigint() - started) / 1e9;
const report = renderReport({
  command: `node --import tsx bench/fleet.bench.ts --sizes ${sizes.join(',')} --rounds ${rounds} --jobs ${jobsFirst.join(',')} --payload-kib ${payloadKib} --loops ${loops} --builder ${builder} --push-limit ${pushLimit}${only.size < 3 ? ` --only ${[...only].join(',')}` : ''}`,
  payloadKib,
  loops,
  date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
  totalSeconds,
  rounds,
  machine,
  sizes: results,
});
writeFileSync(RESULTS, `${report}\n`);
process.stdout.write(`${report}\n`);
log(`${renderVerdicts(results)}\nwritten ${RESULTS} (${totalSeconds.toFixed(0)} s)`);
// Missed targets are reported above, not turned into an exit code; a crash is.
process.exit(failure ? 1 : 0);
