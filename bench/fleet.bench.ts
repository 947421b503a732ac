/**
 * The fleet benchmark (issue 5, item 4): a fixture monorepo of N services, pushed cold, warm
 * (nothing changed) and with one service changed — by the seed-style baseline script at its
 * best JOBS, by `imagefleet run push`, and by plain `nx run-many -t push` — side by side in the
 * same run. Prints a Markdown table (also written to bench/results.md) with PASS/FAIL per
 * target; a missed target is reported, not an error exit.
 *
 * Run: `node --import tsx bench/fleet.bench.ts [--sizes 12,40] [--rounds 1] [--jobs 1,2,4]`
 * (`npm run bench` runs bench/verify.bench.ts first).
 */
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startRegistry, type RunningRegistry } from '../test/support/registry-server.js';
import { makeFixture, type Fixture } from './fixture.js';
import { nxBin, slotAccount, outputOf, ownBuildPush, phases, runContestant, timeCommand, type ContestantName, type RunResult, type Scenario } from './contestants.js';
import { load, machineInfo, removeBenchImages, requireEngine } from './machine.js';
import { best, renderReport, renderTable, renderVerdicts, type Cell, type SizeResult } from './report.js';

const { values } = parseArgs({
  options: {
    sizes: { type: 'string', default: '12,40' },
    rounds: { type: 'string', default: '1' },
    // JOBS tried for the baseline at the first size; later sizes try the best two of these.
    jobs: { type: 'string', default: '1,2,4' },
  },
});
const sizes = values.sizes.split(',').map(Number).filter((n) => Number.isInteger(n) && n > 0);
const rounds = Math.max(1, Number(values.rounds) || 1);
const jobsFirst = values.jobs.split(',').map(Number).filter((n) => Number.isInteger(n) && n > 0);
if (!sizes.length || !jobsFirst.length) throw new Error(`--sizes and --jobs take lists of positive integers, got "${values.sizes}" and "${values.jobs}"`);

const benchId = `fleet-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
const RESULTS = join(import.meta.dirname, 'results.md');
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
  const fixture = makeFixture({ services: n, registryHost: registry.host, salt: `${benchId}-${who}-${salt++}`, label: benchId });
  const env = { registry, fixture };
  live.add(env);
  return env;
}

async function release(env: Env): Promise<void> {
  live.delete(env);
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

async function run(who: ContestantName, env: Env, scenario: Scenario, size: SizeResult, extra: { jobs?: number; changed?: string | null; env?: Record<string, string> } = {}): Promise<RunResult> {
  if (interrupted) throw new Error('interrupted');
  const r = await runContestant(who, { fixture: env.fixture, scenario, changed: extra.changed ?? null, jobs: extra.jobs, env: extra.env });
  const daemon = extra.env?.['NX_DAEMON'] ?? 'false';
  const label = `N=${size.n} ${who}${extra.jobs ? ` JOBS=${extra.jobs}` : ''} ${scenario}${who !== 'baseline' ? ` (daemon ${daemon === 'true' ? 'on' : 'off'})` : ''}`;
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
  record(size.cells.baseline, 'one-changed', await run('baseline', env, 'one-changed', size, { jobs: size.bestJobs, changed }));
  await release(env);
}

/** JOBS values, fastest first (by best cold time; a failed run ranks last). */
function rankJobs(cold: Map<number, Cell>): number[] {
  const score = (c: Cell) => (c.ok ? best(c) ?? Infinity : Infinity);
  return [...cold].sort((a, b) => score(a[1]) - score(b[1])).map(([j]) => j);
}

const leaf = (env: Env): string => env.fixture.services[env.fixture.services.length - 1]!;

/** imagefleet run or nx run-many: cold, warm, one-changed on one fresh fixture. */
async function contender(who: 'imagefleet' | 'nx', size: SizeResult, opts: { daemon: boolean; probes: boolean }): Promise<void> {
  const env = await freshEnv(size.n, who);
  try {
    const cells = size.cells[who];
    // Both build as many at a time as the baseline's best JOBS (`--parallel=JOBS`).
    const jobs = { jobs: size.bestJobs };
    const cold = await run(who, env, 'cold', size, jobs);
    record(cells, 'cold', cold);
    const name = who === 'imagefleet' ? 'imagefleet run --direct' : 'nx run-many';
    const a = slotAccount(cold, size.bestJobs);
    if (a) {
      size.notes.push(
        `${name} cold ${cold.seconds.toFixed(2)} s: first task started after ${a.firstStart.toFixed(2)} s; tasks ran for ${a.span.toFixed(2)} s on ${size.bestJobs} slots ` +
          `(${(size.bestJobs * a.span).toFixed(1)} slot-s), of which build ${a.build.toFixed(1)} s, push ${a.push.toFixed(1)} s, verify ${a.verify.toFixed(1)} s; ` +
          `the rest is ≈ ${a.perTask.toFixed(2)} s per task over ${a.tasks} tasks (process start, manifest, registry checks, row; idle slots while the base builds)`,
      );
    }
    const warm = await run(who, env, 'warm', size, jobs);
    record(cells, 'warm', warm);
    if (who === 'imagefleet') size.notes.push(`${name} warm ${warm.seconds.toFixed(2)} s: ${marksText(warm)}`);
    else size.notes.push(`${name} warm ${warm.seconds.toFixed(2)} s: ${settledText(warm)}`);
    const changed = leaf(env);
    env.fixture.changePayload(changed);
    const one = await run(who, env, 'one-changed', size, { ...jobs, changed });
    record(cells, 'one-changed', one);
    const own = ownBuildPush(one, changed);
    if (own !== null) (size.ownBuildPush[who] ??= []).push(own);
    const p = phases(one, changed);
    if (who === 'imagefleet') size.notes.push(`${name} one-changed ${one.seconds.toFixed(2)} s: ${marksText(one)}`);
    if (p) {
      size.notes.push(
        `${name} one-changed ${one.seconds.toFixed(2)} s: ${p.before.toFixed(2)} s before ${changed}'s task started (start-up, graph${who === 'imagefleet' ? ', fast path over the unchanged' : ', settling until it finds the change: its head start'}), ` +
          `${p.task.toFixed(2)} s its task (own build ${own === null ? '?' : own.toFixed(2)} s incl. push), ${p.after.toFixed(2)} s after`,
      );
    }
    if (opts.probes) await probes(env, size);
    if (who === 'nx') await nxDaemonOn(env, size, jobs.jobs);
    else if (opts.daemon) await daemonOn(who, env, size);
  } finally {
    await release(env);
  }
}

/** When the pre-tasks hook's settled services' tasks ended (the rows say when each run settled). */
const settledText = (r: RunResult): string => {
  const settled = r.rows.filter((row) => row.status === 'unchanged');
  if (!settled.length) return 'no row unchanged';
  const last = Math.max(...settled.map((row) => Date.parse(row.finishedAt)));
  const tasks = r.cacheHits ? `${r.cacheHits.tasks} tasks, ${r.cacheHits.hits} of them replayed from Nx's cache,` : `${settled.length} settled tasks (none from Nx's cache)`;
  return `${settled.length} services settled by the pre-tasks hook ${((last - r.startedMs) / 1000).toFixed(2)} s into the run; the rest is Nx start-up, ${tasks} and the post-tasks hook`;
};

/**
 * nx run-many with its daemon on, as on a developer's machine: started beforehand (its start is
 * not a run's cost), then warm and one service changed; stopped after.
 */
async function nxDaemonOn(env: Env, size: SizeResult, jobs: number): Promise<void> {
  const on = { NX_DAEMON: 'true' };
  try {
    await timeCommand(env.fixture, process.execPath, [nxBin(), 'daemon', '--start'], on);
    const warm = await run('nx', env, 'warm', size, { jobs, env: on });
    const changed = leaf(env);
    env.fixture.changePayload(changed);
    const one = await run('nx', env, 'one-changed', size, { jobs, changed, env: on });
    size.notes.push(`nx run-many with the Nx daemon on (a developer's default; started before, not timed): warm ${warm.seconds.toFixed(2)} s, one-changed ${one.seconds.toFixed(2)} s`);
  } finally {
    await timeCommand(env.fixture, process.execPath, [nxBin(), 'daemon', '--stop'], on).catch(() => 0);
  }
}

/** When the wrapper said what, e.g. `0.41 s "run …: push on 41 service(s)"`. */
const marksText = (r: RunResult): string =>
  [...r.marks.map((m) => `${m.at.toFixed(2)} s "${m.line.replace(/^imagefleet: (run \S+: )?/, '')}"`), `exit ${r.seconds.toFixed(2)} s`].join(' → ');

/** Start-up costs, measured in the fixture: one Nx invocation, one task process. */
async function probes(env: Env, size: SizeResult): Promise<void> {
  const nxStart = await timeCommand(env.fixture, process.execPath, [nxBin(), 'show', 'projects']);
  const cliStart = await timeCommand(env.fixture, process.execPath, ['tools/cli/bin/imagefleet.mjs', '--help']);
  const task = await timeCommand(env.fixture, process.execPath, [nxBin(), 'run', `${leaf(env)}:verify`, '--outputStyle=stream']);
  size.notes.push(
    `start-up (daemon off): \`nx show projects\` ${nxStart.toFixed(2)} s (Nx + plugin + graph of ${size.n + 1} projects); ` +
      `\`imagefleet.mjs --help\` ${cliStart.toFixed(2)} s (one task process); \`nx run ${leaf(env)}:verify\` ${task.toFixed(2)} s (one Nx invocation of one task)`,
  );
}

/**
 * The same scenario with the Nx daemon on: the first run starts it, the second is the figure;
 * then, the daemon stopped, one run without it, for a comparison under the same machine load.
 */
async function daemonOn(who: 'imagefleet' | 'nx', env: Env, size: SizeResult): Promise<void> {
  const daemon = { NX_DAEMON: 'true' };
  const scenario: Scenario = who === 'nx' ? 'warm' : 'one-changed';
  const once = async (extraEnv: Record<string, string>) => {
    const changed = scenario === 'one-changed' ? leaf(env) : null;
    if (changed) env.fixture.changePayload(changed);
    return (await run(who, env, scenario, size, { changed, env: extraEnv })).seconds;
  };
  let first = 0;
  let second = 0;
  let running = false;
  try {
    first = await once(daemon);
    second = await once(daemon);
    running = /currently running/.test(await outputOf(env.fixture, process.execPath, [nxBin(), 'daemon'], daemon));
  } finally {
    await timeCommand(env.fixture, process.execPath, [nxBin(), 'daemon', '--stop'], daemon).catch((e) => log(`nx daemon --stop: ${(e as Error).message}`));
  }
  // A running daemon keeps watching and re-hashing the workspace: compare with it stopped.
  const off = await once({});
  const name = who === 'imagefleet' ? 'imagefleet run --direct' : 'nx run-many';
  size.notes.push(
    `${name} ${scenario} with the Nx daemon on: ${second.toFixed(2)} s (first run, which starts the daemon: ${first.toFixed(2)} s; ` +
      `daemon ${running ? 'confirmed running' : 'NOT found running'}); the same right after, daemon stopped: ${off.toFixed(2)} s`,
  );
}

try {
  await requireEngine();
} catch (error) {
  process.stderr.write(`${(error as Error).message}\n`);
  process.exit(2);
}
const started = process.hrtime.bigint();
const machine = await machineInfo();
log(`bench ${benchId}: sizes ${sizes.join(', ')}, ${rounds} round(s); ${machine.cores} cores, docker ${machine.docker}`);
const results: SizeResult[] = [];
let failure: unknown;
try {
  for (const [i, n] of sizes.entries()) {
    const size: SizeResult = {
      n,
      baselineCold: new Map(),
      bestJobs: 0,
      cells: { baseline: {}, imagefleet: {}, nx: {} },
      ownBuildPush: {},
      notes: [],
      loadBefore: load(),
      loadAfter: '',
    };
    results.push(size);
    const last = i === sizes.length - 1;
    const jobsList = i === 0 ? jobsFirst : rankJobs(results[0]!.baselineCold).slice(0, 2);
    for (let round = 0; round < rounds; round++) {
      await baseline(size, jobsList);
      // Extras once, in the first round: start-up probes and the imagefleet daemon figure at the
      // largest size; the nx run-many daemon figure at the smallest (it re-runs every task).
      await contender('imagefleet', size, { daemon: round === 0 && last, probes: round === 0 && last });
      await contender('nx', size, { daemon: round === 0 && i === 0, probes: false });
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
  command: `node --import tsx bench/fleet.bench.ts --sizes ${sizes.join(',')} --rounds ${rounds}`,
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
