/**
 * The benchmark's figures, the targets checked against them, and the Markdown they
 * are reported in. Every figure is a wall-clock time in seconds, best of the rounds.
 */
import type { ContestantName, Scenario } from './contestants.js';
import type { MachineInfo } from './machine.js';

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
  cells: Record<ContestantName, Partial<Record<Scenario, Cell>>>;
  /** The changed service's own build + push seconds (its row), per contestant. */
  ownBuildPush: Partial<Record<'imagefleet' | 'nx', number[]>>;
  /** Free-form lines: daemon-on figures, where the time went, failed checks. */
  notes: string[];
  loadBefore: string;
  loadAfter: string;
}

export const best = (cell: Cell | undefined): number | null => (cell && cell.seconds.length ? Math.min(...cell.seconds) : null);
const fmt = (s: number | null): string => (s === null ? '—' : s.toFixed(2));
const cellText = (cell: Cell | undefined): string => (cell ? `${fmt(best(cell))}${cell.ok ? '' : ' ✗'}` : '—');
const min = (xs: number[] | undefined): number | null => (xs && xs.length ? Math.min(...xs) : null);

export interface TargetCheck {
  text: string;
  /** For imagefleet run, then nx run-many; null when a figure is missing. */
  imagefleet: boolean | null;
  nx: boolean | null;
}

/** The targets for one scenario (stated for N = 40; checked at every N). */
export function checkTarget(size: SizeResult, scenario: Scenario): TargetCheck {
  const baseline = best(size.cells.baseline[scenario]);
  const fig = (who: 'imagefleet' | 'nx') => {
    const cell = size.cells[who][scenario];
    return cell?.ok ? best(cell) : null;
  };
  const judge = (check: (s: number, who: 'imagefleet' | 'nx') => boolean | null) => (who: 'imagefleet' | 'nx') => {
    const s = fig(who);
    return s === null ? null : check(s, who);
  };
  switch (scenario) {
    case 'cold': {
      const limit = baseline === null ? null : 1.05 * baseline;
      const j = judge((s) => (limit === null ? null : s <= limit));
      return { text: `≤ 1.05 × baseline = ${fmt(limit)} s`, imagefleet: j('imagefleet'), nx: j('nx') };
    }
    case 'warm': {
      const j = judge((s) => (baseline === null ? null : s < 2 && baseline / s >= 10));
      const speedup = (who: 'imagefleet' | 'nx') => {
        const s = fig(who);
        return s && baseline ? `${(baseline / s).toFixed(1)}×` : '—';
      };
      return { text: `< 2 s and ≥ 10× baseline (${speedup('imagefleet')} / ${speedup('nx')})`, imagefleet: j('imagefleet'), nx: j('nx') };
    }
    case 'one-changed': {
      const own = (who: 'imagefleet' | 'nx') => min(size.ownBuildPush[who]);
      const j = judge((s, who) => {
        const o = own(who);
        return o === null ? null : s < o + 2;
      });
      return { text: `< own build+push + 2 s = ${fmt(addTwo(own('imagefleet')))} / ${fmt(addTwo(own('nx')))} s`, imagefleet: j('imagefleet'), nx: j('nx') };
    }
  }
}

const addTwo = (x: number | null): number | null => (x === null ? null : x + 2);
const verdict = (v: boolean | null): string => (v === null ? 'n/a' : v ? 'PASS' : 'FAIL');

const SCENARIOS: Scenario[] = ['cold', 'warm', 'one-changed'];

export function renderTable(sizes: SizeResult[]): string {
  const lines = [
    '| N | scenario | baseline best s (JOBS) | imagefleet run --direct s | nx run-many s | target | imagefleet run --direct | nx run-many |',
    '|---:|---|---:|---:|---:|---|---|---|',
  ];
  for (const size of sizes) {
    for (const scenario of SCENARIOS) {
      const t = checkTarget(size, scenario);
      lines.push(
        `| ${size.n} | ${scenario} | ${cellText(size.cells.baseline[scenario])} (${size.bestJobs}) | ${cellText(size.cells.imagefleet[scenario])} | ${cellText(size.cells.nx[scenario])} | ${t.text} | ${verdict(t.imagefleet)} | ${verdict(t.nx)} |`,
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
    cold: 'Cold: within 1.05 × the best baseline wall time',
    warm: 'Warm: under 2 s total and ≥ 10 × faster than the baseline re-run',
    'one-changed': "One service changed: under that service's own build+push time + 2 s",
  };
  return SCENARIOS.map((scenario) => {
    const t = checkTarget(size, scenario);
    return `- ${verdict(t.imagefleet)} — N=${size.n} ${names[scenario]} (imagefleet run --direct ${fmt(best(size.cells.imagefleet[scenario]))} s; ${t.text}; nx run-many: ${verdict(t.nx)})`;
  }).join('\n');
}

export interface ReportInput {
  command: string;
  date: string;
  totalSeconds: number;
  rounds: number;
  machine: MachineInfo;
  sizes: SizeResult[];
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
    'N services FROM one base (`fleet-base`, busybox: the shared layer); each has a distinct ~200 KB payload, a `RUN --mount=type=secret`',
    'and a little CPU work. Every summary counts N + 1 rows (the base too). Each contestant has its own registry and its own salted',
    'fixture, so none hits another\'s build cache. Baseline = bench/baseline.sh (the seed script: bash, `xargs -P $JOBS`, build + push,',
    'logs + CSV) at its best JOBS; imagefleet run --direct = `node tools/cli/bin/imagefleet.mjs run push --direct --parallel=JOBS` (the same tasks as the Nx targets, in one process); nx run-many = `nx run-many -t push',
    '--parallel=JOBS` (plugin hooks + the task server in Nx\'s process, settled pushes replayed from Nx\'s cache; Nx daemon off, as in CI; daemon-on figures in the notes). NX_ISOLATE_PLUGINS=false (recommended in .env.example and the CI workflow), NX_TUI=false, NX_NO_CLOUD=true. ✗ = the run\'s check failed.',
    '',
    renderTable(input.sizes),
    '',
    '## Targets (issue 5, item 4)',
    '',
    renderVerdicts(input.sizes),
    '',
    '## Details',
    '',
  ];
  for (const size of input.sizes) {
    const jobs = [...size.baselineCold].map(([j, c]) => `JOBS=${j}: ${c.seconds.map((s) => s.toFixed(2)).join(', ')} s${c.ok ? '' : ' ✗'}`).join('; ');
    out.push(`### N = ${size.n}`, '', `- load average (1 min) before ${size.loadBefore}, after ${size.loadAfter}`, `- baseline cold by JOBS: ${jobs}`);
    for (const line of size.notes) out.push(`- ${line}`);
    out.push('');
  }
  return out.join('\n');
}
