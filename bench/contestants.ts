/**
 * The ways the benchmark runs over a fixture fleet, each timed as one wall-clock figure and
 * checked afterwards against what it wrote:
 *
 * - `baseline`: bench/baseline.sh — the seed script (bash, `xargs -P $JOBS`, build + push, logs + CSV);
 * - `bake`: `docker buildx bake --push` over the fixture's docker-bake.json — every target in one
 *   BuildKit session (checked: every tag's manifest is in the registry afterwards);
 * - `nx`: `nx run-many -t push --jobs=JOBS` — every push task in one batch process (the plugin's
 *   push executor): registry check, build what changed, push, verify, one row per service;
 * - `floor`: `nx run-many -t floor` over the same projects, every task a cache hit (the fixture's
 *   cacheable no-op target, warmed once beforehand): what Nx itself costs for a run-many.
 *
 * Nx runs with its daemon off, no TUI, no cloud (as in CI).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { execa } from 'execa';
import { readDotenv } from '@imagefleet/manifest';
import { createRegistryClient } from '@imagefleet/registry';
import type { RunRecord } from '@imagefleet/pipeline';
import type { SummaryJson, SummaryRow } from '@imagefleet/report';
import { DOCKER } from './engine.js';
import { BAKE_FILE, BASE, FLOOR_TARGET, NAMESPACE, TAG, type Fixture } from './fixture.js';
import { watchPeakRss, type PeakRss } from './peak-rss.js';

export type ContestantName = 'baseline' | 'bake' | 'nx' | 'floor';
export type Scenario = 'cold' | 'warm' | 'one-changed';

export interface RunResult {
  seconds: number;
  /** Exit code 0 and what it wrote is what the scenario expects. */
  ok: boolean;
  /** Why not ok, or '' */
  problem: string;
  /** When the run started (ms since epoch), to place the summary rows' times in it. */
  startedMs: number;
  /** nx only: the run's summary rows. */
  rows: SummaryRow[];
  /** Every output line with when it came (s into the run). */
  lines: { at: number; line: string }[];
  /** Last lines of the output, for a failure report. */
  tail: string;
  /** "Nx read the output from the cache … for H out of T tasks", when it said so. */
  cacheHits: { hits: number; tasks: number } | null;
  /** The largest resident set of any process the run started (the engine and BuildKit are not its own). */
  peakRss: PeakRss;
}

const REPO_ROOT = resolve(import.meta.dirname, '..');
const BASELINE = join(REPO_ROOT, 'bench', 'baseline.sh');
const RUN_TIMEOUT_MS = 15 * 60_000;

/**
 * Plugins in Nx's own process (`NX_ISOLATE_PLUGINS=false`) or in a worker each (Nx's default):
 * the bench times the contestants with what .env.example and the CI workflow recommend, and
 * times the warm run with the other setting too (a note), so the recommendation stays measured.
 */
export const ISOLATE_PLUGINS = 'false';
/** Reproducible Nx: no daemon, no TUI, no cloud, no colours. */
export const NX_ENV: Record<string, string> = {
  NX_DAEMON: 'false',
  NX_TUI: 'false',
  NX_NO_CLOUD: 'true',
  NX_ISOLATE_PLUGINS: ISOLATE_PLUGINS,
  CI: 'true',
  FORCE_COLOR: '0',
  NO_COLOR: '1',
};

export interface RunRequest {
  fixture: Fixture;
  scenario: Scenario;
  /** The service changed for `one-changed`. */
  changed: string | null;
  /** Builds at once: the baseline's JOBS, nx's `--jobs`. */
  jobs?: number;
  env?: Record<string, string>;
  /** floor: the untimed warm-up run (not every task is a cache hit yet). */
  warmUp?: boolean;
}

export async function runContestant(name: ContestantName, req: RunRequest): Promise<RunResult> {
  const { fixture } = req;
  const startedMs = Date.now();
  const t0 = process.hrtime.bigint();
  const child = command(name, req);
  const memory = watchPeakRss(child.pid!);
  const lines: RunResult['lines'] = [];
  let partial = '';
  child.all?.on('data', (chunk: Buffer) => {
    const at = Number(process.hrtime.bigint() - t0) / 1e9;
    const split = (partial + chunk.toString('utf8')).split('\n');
    partial = split.pop() ?? '';
    for (const line of split) lines.push({ at, line: stripAnsi(line) });
  });
  const r = await child;
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const peakRss = memory.stop();
  const all = stripAnsi(r.all ?? '');
  const tail = all.split('\n').slice(-40).join('\n');
  const cached = /from the cache instead of running the command for (\d+) out of (\d+) tasks/.exec(all);
  const base = {
    seconds,
    startedMs,
    lines,
    tail,
    cacheHits: cached ? { hits: Number(cached[1]), tasks: Number(cached[2]) } : null,
    peakRss,
  };
  if (r.timedOut) return { ...base, ok: false, problem: `timed out after ${RUN_TIMEOUT_MS / 60_000} min`, rows: [] };
  const exit = r.exitCode ?? -1;
  const expected = fixture.services.length + 1;
  if (name === 'baseline') {
    const problem = checkBaselineCsv(fixture) || (exit === 0 ? '' : `exit ${exit}`);
    return { ...base, ok: problem === '', problem, rows: [] };
  }
  if (name === 'bake') {
    const problem = (exit === 0 ? '' : `exit ${exit}`) || (await checkRegistryTags(fixture));
    return { ...base, ok: problem === '', problem, rows: [] };
  }
  if (name === 'floor') {
    let problem = exit === 0 ? '' : `exit ${exit}`;
    const ran = new RegExp(`Successfully ran target ${FLOOR_TARGET} for (\\d+) projects`).exec(all);
    if (!problem && Number(ran?.[1]) !== expected) problem = `ran ${ran?.[1] ?? 'no'} projects, expected ${expected}`;
    if (!problem && !req.warmUp && (base.cacheHits?.hits !== expected || base.cacheHits.tasks !== expected)) {
      problem = `cache hits ${base.cacheHits ? `${base.cacheHits.hits} of ${base.cacheHits.tasks}` : 'none reported'}, expected ${expected} of ${expected}`;
    }
    return { ...base, ok: problem === '', problem, rows: [] };
  }
  let rows: SummaryRow[] = [];
  let problem = '';
  try {
    const summary = JSON.parse(readFileSync(summaryJson(fixture), 'utf8')) as SummaryJson;
    rows = summary.rows;
    problem = checkSummary(fixture, summary, startedMs, req);
  } catch (error) {
    problem = `${summaryJson(fixture)}: ${(error as Error).message}`;
  }
  if (!problem && exit !== 0) problem = `exit ${exit}`;
  return { ...base, ok: problem === '', problem, rows };
}

function command(name: ContestantName, req: RunRequest) {
  const { fixture } = req;
  const opts = {
    cwd: fixture.dir,
    reject: false,
    all: true,
    timeout: RUN_TIMEOUT_MS,
    env: { ...NX_ENV, ...req.env },
  } as const;
  switch (name) {
    case 'baseline':
      return execa('bash', [BASELINE, fixture.dir], {
        ...opts,
        env: { ...opts.env, REGISTRY: fixture.registryHost, JOBS: String(req.jobs ?? 2) },
      });
    case 'bake':
      // bake reads `secret: [id=X,env=X]` from its environment: the fixture's .env, as the seed sources it.
      return execa(DOCKER, ['buildx', 'bake', '--file', BAKE_FILE, '--push', '--progress=plain'], {
        ...opts,
        env: { ...opts.env, ...readDotenv(join(fixture.dir, '.env')).values },
      });
    case 'nx':
      return execa(process.execPath, [nxBin(), 'run-many', '-t', 'push', `--jobs=${req.jobs ?? 2}`], opts);
    case 'floor':
      return execa(process.execPath, [nxBin(), 'run-many', '-t', FLOOR_TARGET], opts);
  }
}

export const nxBin = (): string => join(REPO_ROOT, 'node_modules', 'nx', 'dist', 'bin', 'nx.js');

const summaryCsv = (fixture: Fixture): string =>
  join(fixture.dir, 'artifacts', 'image-build-logs', `build-summary-${TAG}.csv`);
export const summaryJson = (fixture: Fixture): string =>
  join(fixture.dir, 'artifacts', 'image-build-logs', `build-summary-${TAG}.json`);

const stripAnsi = (text: string): string => text.replace(/\u001b\[[0-9;]*[A-Za-z]/g, '');

/**
 * The summary is this run's (written after it started, every row of its run id) and has one row
 * per service (base included): all pushed when cold, all unchanged when warm, exactly the
 * changed one pushed when one changed.
 */
function checkSummary(fixture: Fixture, summary: SummaryJson, startedMs: number, req: RunRequest): string {
  if (!(Date.parse(summary.generatedAt) >= startedMs - 1000))
    return `summary generated ${summary.generatedAt}, before this run started`;
  const rows = summary.rows;
  const expected = [BASE, ...fixture.services];
  if (rows.length !== expected.length) return `summary has ${rows.length} rows, expected ${expected.length}`;
  const stale = rows.find((r) => r.runId !== summary.runId);
  if (stale) return `${stale.service}: row of run ${stale.runId}, not ${summary.runId}`;
  const byService = new Map(rows.map((r) => [r.service, r]));
  for (const service of expected) {
    const row = byService.get(service);
    if (!row) return `no row for ${service}`;
    if (row.status !== 'pushed' && row.status !== 'unchanged')
      return `${service}: ${row.status} (${row.phase}) ${row.error}`;
    const want =
      req.scenario === 'cold' || (req.scenario === 'one-changed' && service === req.changed) ? 'pushed' : 'unchanged';
    if (row.status !== want) return `${service}: ${row.status}, expected ${want} on ${req.scenario}`;
  }
  return '';
}

/** bake writes no rows: the registry says whether every tag (base included) has a manifest. */
async function checkRegistryTags(fixture: Fixture): Promise<string> {
  const client = createRegistryClient({ host: fixture.registryHost });
  for (const service of [BASE, ...fixture.services]) {
    if (!(await client.headManifest(`${NAMESPACE}/${service}`, TAG)))
      return `${service}: no manifest for ${fixture.registryHost}/${NAMESPACE}/${service}:${TAG}`;
  }
  return '';
}

/** The baseline's CSV: one `success` row per service. */
function checkBaselineCsv(fixture: Fixture): string {
  let text: string;
  try {
    text = readFileSync(summaryCsv(fixture), 'utf8');
  } catch {
    return 'no build-summary-dev.csv';
  }
  const rows = text
    .trim()
    .split('\n')
    .slice(1)
    .map((l) => l.split(','));
  const expected = fixture.services.length + 1;
  if (rows.length !== expected) return `summary has ${rows.length} rows, expected ${expected}`;
  const failed = rows.filter((r) => r[1] !== 'success').map((r) => r[0]);
  return failed.length ? `failed: ${failed.join(', ')}` : '';
}

/** The changed service's own build + push seconds, from its row. */
export function ownBuildPush(result: RunResult, service: string): number | null {
  const row = result.rows.find((r) => r.service === service);
  return row ? row.buildSeconds + row.pushSeconds : null;
}

/** Seconds into the run of a row's time stamp. */
const at = (result: RunResult, iso: string): number => (Date.parse(iso) - result.startedMs) / 1000;
const s = (x: number): string => x.toFixed(2);

/**
 * Where an nx run's time went, from its output lines and its rows: Nx start-up until it forks
 * the batch ("Running N tasks with …"), the batch process's start-up until its first row starts
 * (every service's row starts at once), its first line, the rows' span, and the wrap-up after
 * the last row. For one changed service also its row: the registry check before
 * its build, build + push, verify and tags after.
 */
export function phaseNote(result: RunResult, scenario: Scenario, changed: string | null): string {
  const forked = result.lines.find((l) => /Running \d+ tasks with /.test(l.line));
  const first = result.lines.find((l) => /^\[[\w.-]+\] /.test(l.line));
  const rows = result.rows.filter((r) => r.startedAt && r.finishedAt);
  const parts = [`Nx forked the batch at ${forked ? s(forked.at) : '?'} s`];
  if (rows.length) {
    const start = Math.min(...rows.map((r) => at(result, r.startedAt)));
    const end = Math.max(...rows.map((r) => at(result, r.finishedAt)));
    parts.push(
      `first row started at ${s(start)} s${forked ? ` (batch process start-up ${s(start - forked.at)} s)` : ''}`,
      `batch's first line at ${first ? s(first.at) : '?'} s`,
    );
    if (scenario === 'warm') {
      parts.push(`last row at ${s(end)} s (registry check of ${rows.length}: ${s(end - start)} s)`);
    } else if (scenario === 'one-changed' && changed) {
      const row = rows.find((r) => r.service === changed);
      const others = rows.filter((r) => r.service !== changed);
      const othersEnd = others.length ? Math.max(...others.map((r) => at(result, r.finishedAt))) : start;
      if (row) {
        const a = at(result, row.startedAt);
        const b = at(result, row.finishedAt);
        const work = row.buildSeconds + row.pushSeconds;
        parts.push(
          `the ${others.length} unchanged settled by ${s(othersEnd)} s; ${changed}'s row ${s(a)} → ${s(b)} s: build ${s(row.buildSeconds)} + push ${s(row.pushSeconds)} s, ` +
            `the rest (registry check, verify, tags) ${s(b - a - work)} s`,
        );
      }
    } else {
      const sum = (f: (r: SummaryRow) => number) => rows.reduce((n, r) => n + f(r), 0);
      parts.push(
        `last row at ${s(end)} s; build ${sum((r) => r.buildSeconds).toFixed(1)} s, push ${sum((r) => r.pushSeconds).toFixed(1)} s, verify ${sum((r) => r.verifySeconds).toFixed(1)} s in all`,
      );
    }
    parts.push(`after the last row ${s(result.seconds - end)} s (table, Nx wrap-up)`);
  }
  return `${parts.join('; ')}; exit ${s(result.seconds)} s`;
}

/** Seconds during which at least one of the spans was open (their union's length). */
function covered(spans: [number, number][]): number {
  let total = 0;
  let until = -Infinity;
  for (const [a, b] of [...spans].sort((x, y) => x[0] - y[0])) {
    if (b <= until) continue;
    total += b - Math.max(a, until);
    until = b;
  }
  return total;
}

/**
 * Where a cold run's seconds went, from the run's own record (`runs/<run-id>.json`: each
 * service's phases on the run's time axis) and each build log's BuildKit steps: per phase the
 * seconds summed over services and the wall seconds during which any service was in it; the
 * build phase split into the CLI's start-up (spawn → BuildKit's first step), BuildKit's steps,
 * and "exporting to image" (writing the image into the engine's store).
 */
export function phaseRecord(result: RunResult, fixture: Fixture): string {
  const runId = result.rows[0]?.runId;
  const file = runId && join(fixture.dir, 'artifacts', 'image-build-logs', 'runs', `${runId}.json`);
  if (!file || !existsSync(file)) return 'no run record';
  // The pipeline wrote it this run: its own type, no second parser (review's validates what a user hands it).
  const run = JSON.parse(readFileSync(file, 'utf8')) as RunRecord;
  const origin = Date.parse(run.startedAt);
  const byPhase = new Map<string, [number, number][]>();
  let startup = 0;
  let exporting = 0;
  for (const [service, timeline] of Object.entries(run.services)) {
    for (const p of timeline.phases) {
      const list = byPhase.get(p.phase) ?? [];
      list.push([p.start, p.end]);
      byPhase.set(p.phase, list);
    }
    const build = timeline.phases.find((p) => p.phase === 'build');
    const log = join(fixture.dir, 'artifacts', 'image-build-logs', `${service}_${TAG}.log`);
    if (!build || !existsSync(log)) continue;
    const text = readFileSync(log, 'utf8');
    const first = /^(\S+Z) #1 /m.exec(text);
    if (first) startup += Math.max(0, (Date.parse(first[1]!) - origin) / 1000 - build.start);
    const step = /^\S+Z #(\d+) exporting to image$/m.exec(text);
    const done = step && new RegExp(`^\\S+Z #${step[1]} DONE ([\\d.]+)s$`, 'm').exec(text);
    if (done) exporting += Number(done[1]);
  }
  const parts = [...byPhase].map(([phase, spans]) => {
    const sum = spans.reduce((n, [a, b]) => n + (b - a), 0);
    return `${phase} ${sum.toFixed(1)} s (wall ${covered(spans).toFixed(1)} s)`;
  });
  return (
    `run record (wall ${run.wallSeconds.toFixed(1)} s), summed over services (wall with any service in it): ${parts.join(', ')}; ` +
    `of build: CLI start-up ${startup.toFixed(1)} s, exporting to image ${exporting.toFixed(1)} s`
  );
}

/** Wall seconds of one command in the fixture (start-up probes). */
export async function timeCommand(
  fixture: Fixture,
  file: string,
  args: string[],
  env: Record<string, string> = {},
): Promise<number> {
  const t0 = process.hrtime.bigint();
  const r = await execa(file, args, { cwd: fixture.dir, reject: false, all: true, env: { ...NX_ENV, ...env } });
  if (r.exitCode !== 0) throw new Error(`${file} ${args.join(' ')}: exit ${r.exitCode}\n${(r.all ?? '').slice(-2000)}`);
  return Number(process.hrtime.bigint() - t0) / 1e9;
}
