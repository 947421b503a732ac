/**
 * The benchmark's figures, the targets checked against them, and the Markdown they
 * are reported in. Every figure is a wall-clock time in seconds, best of the rounds.
 */
import { ISOLATE_PLUGINS, type ContestantName, type Scenario } from './contestants.js';
import type { MachineInfo } from './machine.js';
import type { PeakRss } from './peak-rss.js';

/** The seconds of every round of one (contestant, scenario); `ok` false if any round failed its check. */
export interface Cell {
  seconds: number[];
  ok: boolean;
}

export interface SizeResult {
  n: number;
  /** Baseline cold runs by JOBS. */
  baselineCold: Map<number, Cell>;
  bestJobs: number;
  /** `floor` has warm only: Nx over the same projects, every task a cache hit. */
  cells: Record<ContestantName, Partial<Record<Scenario, Cell>>>;
  /** The changed service's own build + push seconds (its row in nx's one-changed run), per round. */
  ownBuildPush: number[];
  /** nx warm with the recommended NX_ISOLATE_PLUGINS and with the other setting, per round. */
  isolate: { recommended: number; other: number; otherOk: boolean }[];
  /** The largest resident set of any process a contestant's runs started (the engine's own excluded). */
  peakRss: Partial<Record<ContestantName, PeakRss>>;
  /** Free-form lines: where the time went, failed checks. */
  notes: string[];
  loadBefore: string;
  loadAfter: string;
}

export const best = (cell: Cell | undefined): number | null =>
  cell && cell.seconds.length ? Math.min(...cell.seconds) : null;
const fmt = (s: number | null): string => (s === null ? '—' : s.toFixed(2));
const cellText = (cell: Cell | undefined): string => (cell ? `${fmt(best(cell))}${cell.ok ? '' : ' ✗'}` : '—');
const min = (xs: number[]): number | null => (xs.length ? Math.min(...xs) : null);

export interface TargetCheck {
  text: string;
  /** null when a figure is missing or a run failed its check. */
  pass: boolean | null;
}

/** Issue 20's targets. Warm: at most this × Nx's floor in the same run. */
export const WARM_OVER_FLOOR = 1.5;
/** Cold: at most this × bake's best in the same run. */
export const COLD_OVER_BAKE = 0.9;
/** One changed: at most the service's own build + push + this many seconds. */
export const ONE_CHANGED_SLACK = 0.5;
/** Peak resident set of any process of an nx run, MB (10^6 bytes, as the issue counts). */
export const PEAK_RSS_MB = 250;

const okBest = (cell: Cell | undefined): number | null => (cell?.ok ? best(cell) : null);

/** The targets for one scenario (stated for N = 40; checked at every N). */
export function checkTarget(size: SizeResult, scenario: Scenario): TargetCheck {
  const nx = okBest(size.cells.nx[scenario]);
  switch (scenario) {
    case 'cold': {
      const bake = okBest(size.cells.bake.cold);
      const limit = bake === null ? null : COLD_OVER_BAKE * bake;
      return {
        text: `≤ ${COLD_OVER_BAKE} × bake = ${fmt(limit)} s (${bake && nx ? (nx / bake).toFixed(2) : '—'}×)`,
        pass: nx === null || limit === null ? null : nx <= limit,
      };
    }
    case 'warm': {
      const floor = okBest(size.cells.floor.warm);
      const limit = floor === null ? null : WARM_OVER_FLOOR * floor;
      return {
        text: `≤ ${WARM_OVER_FLOOR} × floor = ${fmt(limit)} s (${floor && nx ? (nx / floor).toFixed(2) : '—'}×)`,
        pass: nx === null || limit === null ? null : nx <= limit,
      };
    }
    case 'one-changed': {
      const own = min(size.ownBuildPush);
      const limit = own === null ? null : own + ONE_CHANGED_SLACK;
      return {
        text: `≤ own build+push + ${ONE_CHANGED_SLACK.toFixed(1)} s = ${fmt(limit)} s`,
        pass: nx === null || limit === null ? null : nx <= limit,
      };
    }
  }
}

const verdict = (v: boolean | null): string => (v === null ? 'n/a' : v ? 'PASS' : 'FAIL');

const SCENARIOS: Scenario[] = ['cold', 'warm', 'one-changed'];

export function renderTable(sizes: SizeResult[]): string {
  const lines = [
    '| N | scenario | baseline best s (JOBS) | bake s | nx run-many s | floor s | target (nx run-many) | |',
    '|---:|---|---:|---:|---:|---:|---|---|',
  ];
  for (const size of sizes) {
    for (const scenario of SCENARIOS) {
      const t = checkTarget(size, scenario);
      lines.push(
        `| ${size.n} | ${scenario} | ${cellText(size.cells.baseline[scenario])} (${size.bestJobs}) | ${cellText(size.cells.bake[scenario])} | ${cellText(size.cells.nx[scenario])} | ${cellText(size.cells.floor[scenario])} | ${t.text} | ${verdict(t.pass)} |`,
      );
    }
  }
  return lines.join('\n');
}

/** The PASS/FAIL lines for the targets (N = 40, or the largest size run). */
export function renderVerdicts(sizes: SizeResult[]): string {
  const size = sizes.find((s) => s.n === 40) ?? sizes[sizes.length - 1];
  if (!size) return '';
  const names: Record<Scenario, string> = {
    cold: `Cold: at most ${COLD_OVER_BAKE} × \`docker buildx bake --push\` in the same run (nx at the baseline's best \`--jobs\`)`,
    warm: `Warm, nothing changed: at most ${WARM_OVER_FLOOR} × Nx's own floor in the same run`,
    'one-changed': `One service changed: at most that service's own build + push time (its row) + ${ONE_CHANGED_SLACK.toFixed(1)} s`,
  };
  const lines = SCENARIOS.map((scenario) => {
    const t = checkTarget(size, scenario);
    return `- ${verdict(t.pass)} — N=${size.n} ${names[scenario]}: nx run-many ${fmt(best(size.cells.nx[scenario]))} s; ${t.text}`;
  });
  for (const s of sizes) {
    const peak = s.peakRss.nx;
    if (!peak) continue;
    const mb = (peak.mib * 1024 * 1024) / 1e6;
    lines.push(
      `- ${verdict(mb <= PEAK_RSS_MB)} — N=${s.n} peak RSS of any process of an nx run ≤ ${PEAK_RSS_MB} MB: ${mb.toFixed(0)} MB (${peak.command})`,
    );
  }
  return lines.join('\n');
}

export interface ReportInput {
  command: string;
  date: string;
  totalSeconds: number;
  rounds: number;
  machine: MachineInfo;
  sizes: SizeResult[];
  payloadKib: number;
  loops: number;
}

export function renderReport(input: ReportInput): string {
  const { machine } = input;
  const out = [
    '# Fleet benchmark',
    '',
    `\`${input.command}\` — ${input.date}, whole run ${input.totalSeconds.toFixed(0)} s, best of ${input.rounds} round(s).`,
    '',
    `Machine: ${machine.cores} cores (${machine.cpu}), Docker ${machine.docker}, docker-registry ${machine.registry}, Node ${machine.node}, Nx ${machine.nx}.`,
    '',
    `N services FROM one base (\`fleet-base\`, busybox: the shared layer); each has a distinct ${input.payloadKib} KiB payload, a \`RUN --mount=type=secret\``,
    `and a CPU step (a ${input.loops}-iteration sh loop). Every summary counts N + 1 rows (the base too). Each contestant has its own registry and salted`,
    "fixture, so none hits another's build cache. Baseline = bench/baseline.sh (the seed script: bash, `xargs -P $JOBS`, build + push,",
    'logs + CSV) at its best JOBS. bake = `docker buildx bake --push` over a generated docker-bake.json (same services, secret and tags; the',
    'base linked as a `target:` context; BuildKit schedules it all in one session; checked: every tag has a manifest afterwards).',
    "nx run-many = `nx run-many -t push --jobs=JOBS` (JOBS = the baseline's best; every push task in one",
    'batch process). Floor = `nx run-many -t floor` over the same N + 1 projects (a cacheable `nx:noop` target from a `project.json`',
    "per project, warmed once untimed): every task a cache hit, Nx's own cost of a run-many. Nx daemon off (as in CI), NX_TUI=false,",
    `NX_NO_CLOUD=true, NX_ISOLATE_PLUGINS=${ISOLATE_PLUGINS}. Best of the rounds; ✗ = a run failed its check (what it wrote: N + 1 rows of`,
    'this run, all pushed cold, all unchanged warm, exactly the changed service pushed; the floor: every task a cache hit).',
    '',
    renderTable(input.sizes),
    '',
    '## Targets (issue 20)',
    '',
    renderVerdicts(input.sizes),
    '',
    '## Details',
    '',
  ];
  for (const size of input.sizes) {
    const jobs = [...size.baselineCold]
      .map(([j, c]) => `JOBS=${j}: ${c.seconds.map((s) => s.toFixed(2)).join(', ')} s${c.ok ? '' : ' ✗'}`)
      .join('; ');
    const all = (c: Cell | undefined) => (c ? c.seconds.map((x) => x.toFixed(2)).join(', ') : '—');
    out.push(
      `### N = ${size.n}`,
      '',
      `- load average (1 min) before ${size.loadBefore}, after ${size.loadAfter}`,
      `- baseline cold by JOBS: ${jobs}`,
      `- every round, s: bake cold ${all(size.cells.bake.cold)}, warm ${all(size.cells.bake.warm)}, one-changed ${all(size.cells.bake['one-changed'])}; nx cold ${all(size.cells.nx.cold)}; nx warm ${all(size.cells.nx.warm)}; floor ${all(size.cells.floor.warm)}; nx one-changed ${all(size.cells.nx['one-changed'])} (own build+push ${size.ownBuildPush.map((x) => x.toFixed(2)).join(', ') || '—'})`,
    );
    if (size.isolate.length) {
      const other = ISOLATE_PLUGINS === 'false' ? 'true' : 'false';
      const pairs = size.isolate
        .map((p) => `${p.recommended.toFixed(2)} vs ${p.other.toFixed(2)}${p.otherOk ? '' : ' ✗'}`)
        .join('; ');
      out.push(
        `- nx warm, NX_ISOLATE_PLUGINS=${ISOLATE_PLUGINS} (used above) vs ${other} (same fixture, back to back), s: ${pairs}`,
      );
    }
    const peaks = Object.entries(size.peakRss)
      .map(([who, p]) => `${who} ${((p.mib * 1024 * 1024) / 1e6).toFixed(0)} MB (${p.command})`)
      .join(', ');
    if (peaks)
      out.push(`- peak RSS of any process a contestant's runs started (VmHWM from /proc, every 200 ms): ${peaks}`);
    for (const line of size.notes) out.push(`- ${line}`);
    out.push('');
  }
  return out.join('\n');
}
