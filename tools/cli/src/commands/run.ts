/**
 * `imagefleet run <target>`: a thin wrapper over `nx run-many -t <target>` that adds one thing
 * Nx cannot know — with `--affected`, exactly the services whose files or whose entry in
 * services.manifest.yaml changed (plus what builds FROM them), where `nx affected` sees only
 * that the manifest file changed. Everything else (one process for all tasks, rows, the table)
 * is the batch executor's, exactly as under a plain `nx run-many`.
 */
import { createRequire } from 'node:module';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { loadManifest, type Manifest } from '@imagefleet/manifest';
import { affectedServices, type AffectedReason } from '@imagefleet/affected';
import { listenForInterrupt } from '@imagefleet/pipeline';
import { runCommand } from '@imagefleet/process';
import { gitChanges } from '../git-changes.js';
import { UsageError } from '../usage-error.js';

export interface RunOptions {
  jobs?: string | undefined;
  affected: boolean;
  base?: string | undefined;
  head?: string | undefined;
  projects?: string[] | undefined;
}

export const TARGETS = ['push', 'image', 'verify'] as const;

/** The nx command line for `target` over `projects`. */
export function nxArguments(target: string, projects: string[], opts: Pick<RunOptions, 'jobs'>): string[] {
  return [
    'run-many',
    '-t',
    target,
    `--projects=${projects.join(',')}`,
    '--outputStyle=stream',
    ...(opts.jobs ? [`--jobs=${opts.jobs}`] : []),
  ];
}

/** `--jobs`: a whole number of builds at once, 1 or more. */
export function checkJobs(value: string | undefined): void {
  if (value !== undefined && !/^[1-9]\d{0,3}$/.test(value))
    throw new UsageError(`--jobs must be a whole number of builds at once (1 or more), got "${value}"`);
}

export async function runCommandLine(manifestFile: string, target: string, opts: RunOptions): Promise<number> {
  if (!(TARGETS as readonly string[]).includes(target))
    throw new UsageError(`run: unknown target "${target}" (expected ${TARGETS.join(', ')})`);
  checkJobs(opts.jobs);
  const manifest = await loadManifest(manifestFile);
  const selected = (await selectServices(manifest, opts)).map((a) => a.service);
  if (!selected.length) {
    // Nothing selected (e.g. --affected with no change to any service): no rows, and the summary
    // files keep describing the run that wrote them.
    process.stdout.write('imagefleet: no service selected, nothing to do\n');
    return 0;
  }
  const interrupt = listenForInterrupt();
  try {
    const result = await runCommand(
      process.execPath,
      [nxEntry(manifest.root), ...nxArguments(target, selected, opts)],
      {
        cwd: manifest.root,
        env: { NX_TUI: 'false' },
        signal: interrupt.signal,
        // The batch needs a moment to stop its builds and pushes and record its rows.
        killGraceMs: 20_000,
        onLine: (line) => process.stdout.write(`${line}\n`),
      },
    );
    if (interrupt.signal.aborted) return 130;
    return result.ok ? 0 : 1;
  } finally {
    interrupt.dispose();
  }
}

function nxEntry(root: string): string {
  return createRequire(join(root, 'package.json')).resolve('nx/bin/nx.js');
}

/**
 * The services a run covers: all, `--projects`, or with `--affected` exactly those a change
 * touches (files of a service, its entry in the manifest) and everything built FROM them.
 */
export async function selectServices(manifest: Manifest, opts: RunOptions): Promise<AffectedReason[]> {
  let selected: AffectedReason[] = manifest.services.map((s) => ({ service: s.name, reason: 'all services' }));
  if (opts.affected) {
    const changes = await gitChanges(manifest.root, manifest.file, opts.base ?? 'main', opts.head);
    const now = await readFile(manifest.file, 'utf8');
    selected = affectedServices(manifest, changes.files, { before: changes.manifestBefore, now });
  }
  if (opts.projects?.length) {
    const wanted = new Set(opts.projects);
    for (const name of wanted)
      if (!manifest.services.some((s) => s.name === name))
        throw new UsageError(`--projects: no service "${name}" in ${manifest.file}`);
    selected = selected.filter((a) => wanted.has(a.service));
  }
  return selected;
}
