/**
 * The three ways the benchmark pushes a fixture fleet, each timed as one wall-clock figure and
 * checked afterwards against what it wrote:
 *
 * - `baseline`: bench/baseline.sh — the seed script (bash, `xargs -P $JOBS`, build + push, logs + CSV);
 * - `imagefleet`: `node tools/cli/bin/imagefleet.mjs run push --direct --parallel=JOBS` — the
 *   in-process registry fast path, then every changed service's task in the same process;
 * - `nx`: `nx run-many -t push --parallel=JOBS` — what the issue asks to time: the plugin's
 *   pre-tasks hook settles unchanged services (Nx then replays their pushes from its cache) and
 *   starts the run's task server (in Nx's process, with a head start for ready services), then one Nx task
 *   per service (Nx daemon off, as in CI, unless the request's env says otherwise).
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { execa } from 'execa';
import { parseCsv } from '../libs/report/src/index.js';
import type { SummaryRow } from '../libs/report/src/index.js';
import { BASE, TAG, type Fixture } from './fixture.js';

export type ContestantName = 'baseline' | 'imagefleet' | 'nx';
export type Scenario = 'cold' | 'warm' | 'one-changed';

export interface RunResult {
  seconds: number;
  /** Exit code 0 and the summary says what the scenario expects. */
  ok: boolean;
  /** Why not ok, or '' */
  problem: string;
  /** When the run started (ms since epoch), to place the summary rows' times in it. */
  startedMs: number;
  /** imagefleet / nx only: the run's summary rows. */
  rows: SummaryRow[];
  /** Last lines of the output, for a failure report. */
  tail: string;
  /** Lines the imagefleet wrapper printed about itself (`imagefleet: …`), with when (s into the run). */
  marks: { at: number; line: string }[];
  /** nx: "Nx read the output from the cache … for H out of T tasks", when it said so. */
  cacheHits: { hits: number; tasks: number } | null;
}

const REPO_ROOT = resolve(import.meta.dirname, '..');
const BASELINE = join(REPO_ROOT, 'bench', 'baseline.sh');
const RUN_TIMEOUT_MS = 15 * 60_000;
/**
 * Reproducible Nx: no daemon, no TUI, no cloud (the daemon-on figure overrides NX_DAEMON); plugins
 * in Nx's own process, as .env.example and the CI workflow recommend.
 */
export const NX_ENV: Record<string, string> = { NX_DAEMON: 'false', NX_TUI: 'false', NX_NO_CLOUD: 'true', NX_ISOLATE_PLUGINS: 'false' };

export interface RunRequest {
  fixture: Fixture;
  scenario: Scenario;
  /** The service changed for `one-changed`. */
  changed: string | null;
  /** baseline only */
  jobs?: number;
  env?: Record<string, string>;
}

export async function runContestant(name: ContestantName, req: RunRequest): Promise<RunResult> {
  const { fixture } = req;
  const started = Date.now();
  const t0 = process.hrtime.bigint();
  const child = command(name, req);
  const marks: RunResult['marks'] = [];
  let partial = '';
  child.all?.on('data', (chunk: Buffer) => {
    const at = Number(process.hrtime.bigint() - t0) / 1e9;
    const text = partial + chunk.toString('utf8');
    const lines = text.split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) if (line.startsWith('imagefleet: ')) marks.push({ at, line });
  });
  const r = await child;
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const all = r.all ?? '';
  const tail = all.split('\n').slice(-40).join('\n');
  const cached = /from the cache instead of running the command for (\d+) out of (\d+) tasks/.exec(all);
  const base = { seconds, startedMs: started, tail, marks, cacheHits: cached ? { hits: Number(cached[1]), tasks: Number(cached[2]) } : null };
  if (r.timedOut) return { ...base, ok: false, problem: `timed out after ${RUN_TIMEOUT_MS / 60_000} min`, rows: [] };
  const exit = r.exitCode ?? -1;
  if (name === 'baseline') {
    const problem = checkBaselineCsv(fixture) || (exit === 0 ? '' : `exit ${exit}`);
    return { ...base, ok: problem === '', problem, rows: [] };
  }
  let rows: SummaryRow[] = [];
  let problem = '';
  try {
    rows = await parseCsv(readFileSync(summaryCsv(fixture), 'utf8'), summaryCsv(fixture));
    problem = checkRows(fixture, rows, req);
  } catch (error) {
    problem = (error as Error).message;
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
    env: { ...NX_ENV, CI: 'true', ...req.env },
  } as const;
  switch (name) {
    case 'baseline':
      return execa('bash', [BASELINE, fixture.dir], { ...opts, env: { ...opts.env, REGISTRY: fixture.registryHost, JOBS: String(req.jobs ?? 2) } });
    case 'imagefleet':
      return execa(process.execPath, ['tools/cli/bin/imagefleet.mjs', 'run', 'push', '--direct', `--parallel=${req.jobs ?? 2}`], opts);
    case 'nx':
      return execa(process.execPath, [nxBin(), 'run-many', '-t', 'push', `--parallel=${req.jobs ?? 2}`, '--outputStyle=stream'], {
        ...opts,
        env: { ...NX_ENV, CI: 'true', ...req.env },
      });
  }
}

export const nxBin = (): string => join(REPO_ROOT, 'node_modules', 'nx', 'dist', 'bin', 'nx.js');

export const summaryCsv = (fixture: Fixture): string => join(fixture.dir, 'artifacts', 'image-build-logs', `build-summary-${TAG}.csv`);

/** Every service (base included) has one row, pushed or unchanged as the scenario expects. */
function checkRows(fixture: Fixture, rows: SummaryRow[], req: RunRequest): string {
  const expected = [BASE, ...fixture.services];
  if (rows.length !== expected.length) return `summary has ${rows.length} rows, expected ${expected.length}`;
  const byService = new Map(rows.map((r) => [r.service, r]));
  for (const service of expected) {
    const row = byService.get(service);
    if (!row) return `no row for ${service}`;
    if (row.status !== 'pushed' && row.status !== 'unchanged') return `${service}: ${row.status} (${row.phase}) ${row.error}`;
    const want = req.scenario === 'cold' || (req.scenario === 'one-changed' && service === req.changed) ? 'pushed' : 'unchanged';
    if (row.status !== want) return `${service}: ${row.status}, expected ${want} on ${req.scenario}`;
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
  const rows = text.trim().split('\n').slice(1).map((l) => l.split(','));
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

/**
 * Where a one-service run's time went: before the service's task started (Nx start-up, graph,
 * the fast path), the task itself (its row's start to finish), and after it (Nx's and the
 * wrapper's wrap-up).
 */
export function phases(result: RunResult, service: string): { before: number; task: number; after: number } | null {
  const row = result.rows.find((r) => r.service === service);
  if (!row?.startedAt || !row.finishedAt) return null;
  const start = Date.parse(row.startedAt);
  const end = Date.parse(row.finishedAt);
  const before = (start - result.startedMs) / 1000;
  const task = (end - start) / 1000;
  return { before, task, after: result.seconds - before - task };
}

/**
 * Slot accounting of a run that built: from the first task's start to the last one's finish,
 * `parallel` slots were available; builds, pushes and verifications used part of them. The
 * rest, spread over the tasks (one per service: `push` builds too), is what each task costs
 * besides its work: process start, loading the manifest, registry checks, writing its row,
 * and slots left idle while the base builds.
 */
export function slotAccount(result: RunResult, parallel: number): { firstStart: number; span: number; work: number; build: number; push: number; verify: number; perTask: number; tasks: number } | null {
  const rows = result.rows.filter((r) => r.startedAt && r.finishedAt && r.status === 'pushed');
  if (!rows.length) return null;
  const sum = (f: (r: SummaryRow) => number) => rows.reduce((n, r) => n + f(r), 0);
  const build = sum((r) => r.buildSeconds);
  const push = sum((r) => r.pushSeconds);
  const verify = sum((r) => r.verifySeconds);
  const first = Math.min(...rows.map((r) => Date.parse(r.startedAt)));
  const last = Math.max(...rows.map((r) => Date.parse(r.finishedAt)));
  const span = (last - first) / 1000;
  const tasks = rows.length;
  const work = build + push + verify;
  return { firstStart: (first - result.startedMs) / 1000, span, work, build, push, verify, tasks, perTask: (parallel * span - work) / tasks };
}

/** Output of one command in the fixture. */
export async function outputOf(fixture: Fixture, file: string, args: string[], env: Record<string, string> = {}): Promise<string> {
  const r = await execa(file, args, { cwd: fixture.dir, reject: false, all: true, env: { ...NX_ENV, CI: 'true', ...env } });
  return r.all ?? '';
}

/** Wall seconds of one command in the fixture (start-up probes). */
export async function timeCommand(fixture: Fixture, file: string, args: string[], env: Record<string, string> = {}): Promise<number> {
  const t0 = process.hrtime.bigint();
  const r = await execa(file, args, { cwd: fixture.dir, reject: false, all: true, env: { ...NX_ENV, CI: 'true', ...env } });
  if (r.exitCode !== 0) throw new Error(`${file} ${args.join(' ')}: exit ${r.exitCode}\n${(r.all ?? '').slice(-2000)}`);
  return Number(process.hrtime.bigint() - t0) / 1e9;
}
