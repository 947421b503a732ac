import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createFakeClock } from '@imagefleet/process';
import { readRows, type Outcome } from '@imagefleet/report';
import { buildServices, pushServices, type RunOptions, type ServiceEnd } from './run.js';
import { workspacePaths } from '../paths.js';
import {
  createFakeBuilder,
  createFakeRegistry,
  tempWorkspace,
  type FakeEvent,
  type FakeService,
  type PushStep,
} from '../testing/fakes.js';

const cleanup: (() => void)[] = [];
afterEach(() => {
  for (const fn of cleanup.splice(0)) fn();
});

function fleet(
  services: FakeService[],
  push: Partial<{ retries: number; stallSeconds: number; timeoutSeconds: number }> = {},
) {
  const ws = tempWorkspace(services, push);
  cleanup.push(ws.remove);
  const registry = createFakeRegistry();
  const builder = createFakeBuilder(registry, ws.fakesDir);
  const said: string[] = [];
  const run = async (names: string[] = services.map((s) => s.name), opts: Partial<RunOptions> = {}) => {
    const ends: ServiceEnd[] = [];
    const options: RunOptions = {
      env: {},
      signal: new AbortController().signal,
      jobs: 4,
      say: (s, t) => said.push(`[${s}] ${t}`),
      registry: registry.asRun(),
      builder,
      engine: builder,
      ...opts,
    };
    for await (const end of pushServices(ws.manifest, names, options)) ends.push(end);
    return { ends, byName: Object.fromEntries(ends.map((e) => [e.service, e])) };
  };
  const rows = () => readRows(workspacePaths(ws.manifest).logs);
  return { ws, registry, builder, said, run, rows };
}

/** The most children of `kind` that ran at the same moment. */
function mostAtOnce(events: FakeEvent[], kind: FakeEvent['kind']): number {
  const edges = events.filter((e) => e.kind === kind).sort((a, b) => a.t - b.t || (a.phase === 'end' ? -1 : 1));
  let now = 0;
  let most = 0;
  for (const e of edges) most = Math.max(most, (now += e.phase === 'start' ? 1 : -1));
  return most;
}

const at = (events: FakeEvent[], kind: FakeEvent['kind'], service: string, phase: FakeEvent['phase']) => {
  const found = events.find((e) => e.kind === kind && e.service === service && e.phase === phase);
  if (!found) throw new Error(`no ${kind} ${phase} event for ${service}`);
  return found.t;
};

describe('pushServices', () => {
  it('builds a base, pushes and verifies it before the image built FROM it starts, pinned by digest; a dependent does not wait for unrelated builds', async () => {
    const f = fleet([{ name: 'base' }, { name: 'app', dependsOn: ['base'] }, { name: 'slow' }]);
    f.builder.plan('base', { build: { ms: 200 } });
    // An unrelated build that never ends by itself: app can only be pushed while it still runs.
    f.builder.plan('slow', { build: { stall: true } });
    const controller = new AbortController();
    const running = f.run(undefined, { jobs: 2, signal: controller.signal });
    await f.builder.waitFor(
      (events) => events.some((e) => e.kind === 'push' && e.service === 'app' && e.phase === 'end'),
      60_000,
    );
    controller.abort(new Error('interrupted by SIGINT'));
    const { byName } = await running;

    expect(Object.values(byName).map((e) => [e.service, e.outcome.kind, e.row.status])).toEqual(
      expect.arrayContaining([
        ['base', 'pushed', 'pushed'],
        ['app', 'pushed', 'pushed'],
        ['slow', 'interrupted', 'interrupted'],
      ]),
    );
    expect(byName.base!.outcome).toEqual({ kind: 'pushed', digest: byName.base!.row.digest });
    const events = f.builder.events();
    expect(at(events, 'build', 'app', 'start')).toBeGreaterThanOrEqual(at(events, 'push', 'base', 'end'));
    const appBuild = f.builder.calls.find((c) => c.kind === 'build' && c.service === 'app')!;
    expect(appBuild.spec!.buildArgs).toEqual({ BASE_IMAGE: `localhost:5001/ameide/base@${byName.base!.row.digest}` });
    // The base was verified before its dependent was built.
    const baseVerify = f.registry.requests.findIndex(
      (r) => r.op === 'verify' && r.repo === 'ameide/base' && r.ref === 'dev',
    );
    expect(baseVerify).toBeGreaterThanOrEqual(0);
  });

  it.each([
    [1, 1],
    [2, 2],
  ])('jobs: %i runs at most %i builds at once', async (jobs, most) => {
    const f = fleet([{ name: 'a' }, { name: 'b' }, { name: 'c' }]);
    for (const name of ['a', 'b', 'c']) f.builder.plan(name, { build: { ms: 600 } });
    const { ends } = await f.run(undefined, { jobs });
    expect(ends.map((e) => e.outcome.kind)).toEqual(['pushed', 'pushed', 'pushed']);
    expect(mostAtOnce(f.builder.events(), 'build')).toBe(most);
  });

  it('an unchanged service (its content tag verifies) is neither built nor pushed: its row says unchanged; an edit builds it again', async () => {
    const f = fleet([{ name: 'a' }, { name: 'b' }]);
    const first = await f.run();
    expect(first.ends.map((e) => e.row.status)).toEqual(['pushed', 'pushed']);
    const contentTags = Object.entries(f.registry.tagsOf('ameide/a')).filter(([tag]) => tag.startsWith('content-'));
    expect(contentTags).toEqual([[expect.any(String), first.byName.a!.row.digest]]);
    const callsAfterFirst = f.builder.calls.length;

    const second = await f.run();
    expect(f.builder.calls.length).toBe(callsAfterFirst);
    for (const name of ['a', 'b']) {
      expect(second.byName[name]).toMatchObject({
        outcome: { kind: 'unchanged', digest: first.byName[name]!.row.digest },
        row: { status: 'unchanged', verify: 'verified', digest: first.byName[name]!.row.digest, attempts: 0 },
      });
    }
    expect((await f.rows()).map((r) => [r.service, r.status])).toEqual([
      ['a', 'unchanged'],
      ['b', 'unchanged'],
    ]);

    await writeFile(join(f.ws.root, 'apps/a/index.txt'), 'edited\n');
    const third = await f.run();
    expect(third.byName.a!.row.status).toBe('pushed');
    expect(third.byName.b!.row.status).toBe('unchanged');
    expect(f.builder.calls.slice(callsAfterFirst).map((c) => `${c.kind} ${c.service}`)).toEqual(['build a', 'push a']);
  });

  it('a failed base: what builds FROM it (directly or not) is skipped, each row naming its base, each said once', async () => {
    const f = fleet([
      { name: 'base' },
      { name: 'app', dependsOn: ['base'] },
      { name: 'worker', dependsOn: ['app'] },
      { name: 'other' },
    ]);
    f.builder.plan('base', {
      build: { exitCode: 1, message: 'process "/bin/sh -c make" did not complete successfully: exit code: 2' },
    });
    const { ends, byName } = await f.run();

    expect(ends).toHaveLength(4);
    expect(byName.base).toMatchObject({
      outcome: { kind: 'failed', phase: 'build' },
      row: { status: 'failed', phase: 'build' },
    });
    expect(byName.base!.row.error).toContain('exit code: 2');
    expect(byName.app).toMatchObject({
      outcome: { kind: 'skipped', bases: [{ service: 'base', kind: 'failed' }] },
      row: { status: 'skipped', phase: '', error: 'not run: an image it builds FROM (base) failed' },
    });
    expect(byName.worker).toMatchObject({
      outcome: { kind: 'skipped', bases: [{ service: 'app', kind: 'skipped' }] },
      row: { status: 'skipped', phase: '', error: 'not run: an image it builds FROM (app) was not run' },
    });
    expect(byName.other).toMatchObject({ outcome: { kind: 'pushed' } });
    expect(f.said.filter((l) => l.startsWith('[app] '))).toEqual([
      '[app] skipped: not run: an image it builds FROM (base) failed',
    ]);
    // Nothing else of theirs ran: no build, no push, no registry request, no log.
    expect(f.builder.calls.filter((c) => c.service === 'app' || c.service === 'worker')).toEqual([]);
    expect(f.registry.requests.filter((r) => r.repo === 'ameide/app' || r.repo === 'ameide/worker')).toEqual([]);
    expect(f.builder.calls.filter((c) => c.kind === 'push').map((c) => c.service)).toEqual(['other']);
    expect((await f.rows()).map((r) => [r.service, r.status])).toEqual([
      ['app', 'skipped'],
      ['base', 'failed'],
      ['other', 'pushed'],
      ['worker', 'skipped'],
    ]);
  });

  it('an interrupt mid-run: the running build is killed and interrupted, queued ones are "interrupted before it started", one row each on disk', async () => {
    const names = ['a', 'b', 'c'];
    const f = fleet(names.map((name) => ({ name })));
    for (const name of names) f.builder.plan(name, { build: { stall: true } });
    const controller = new AbortController();
    // A clock that never moves: no stall watch or timeout can end the stalled build, only the interrupt.
    const running = f.run(undefined, { jobs: 1, signal: controller.signal, clock: createFakeClock() });
    const seen = await f.builder.waitFor((events) => events.some((e) => e.kind === 'build' && e.phase === 'start'));
    const started = seen.find((e) => e.kind === 'build')!.service;
    controller.abort(new Error('interrupted by SIGINT'));
    const { ends, byName } = await running;

    expect(ends).toHaveLength(3);
    expect(byName[started]).toMatchObject({
      outcome: { kind: 'interrupted', phase: 'build' },
      row: { status: 'interrupted', phase: 'build', error: 'interrupted during build' },
    });
    for (const name of names.filter((n) => n !== started)) {
      expect(byName[name]).toMatchObject({
        outcome: { kind: 'interrupted', phase: null },
        row: { status: 'interrupted', phase: '', error: 'interrupted before it started' },
      });
    }
    expect(f.builder.calls.map((c) => `${c.kind} ${c.service}`)).toEqual([`build ${started}`]);
    const rows = await f.rows();
    expect(rows.map((r) => r.service)).toEqual(names);
    expect(rows.every((r) => r.status === 'interrupted')).toBe(true);
  });

  it('an interrupt before the run starts: every service "interrupted before it started", nothing built', async () => {
    const f = fleet([{ name: 'base' }, { name: 'app' }]);
    const controller = new AbortController();
    controller.abort(new Error('interrupted by SIGTERM'));
    const { ends } = await f.run(undefined, { signal: controller.signal });
    expect(ends.map((e) => [e.service, e.outcome.kind, e.row.error])).toEqual(
      expect.arrayContaining([
        ['base', 'interrupted', 'interrupted before it started'],
        ['app', 'interrupted', 'interrupted before it started'],
      ]),
    );
    expect(f.builder.calls).toEqual([]);
  });

  it('an interrupt mid-run: what builds FROM the interrupted service is interrupted too, not failed', async () => {
    const f = fleet([{ name: 'base' }, { name: 'app', dependsOn: ['base'] }]);
    f.builder.plan('base', { build: { stall: true } });
    const controller = new AbortController();
    const running = f.run(undefined, { signal: controller.signal });
    await f.builder.waitFor((events) => events.some((e) => e.service === 'base' && e.phase === 'start'));
    controller.abort(new Error('interrupted by SIGINT'));
    const { byName } = await running;
    expect(byName.base!.outcome.kind).toBe('interrupted');
    expect(byName.app).toMatchObject({
      outcome: { kind: 'interrupted', phase: null },
      row: { status: 'interrupted', error: 'interrupted before it started' },
    });
  });

  it('a registry that fails the preflight: every service fails in phase preflight, with one ping for the run, nothing built', async () => {
    const f = fleet([{ name: 'a' }, { name: 'b' }, { name: 'c' }]);
    f.registry.pingFailure = 'connect ECONNREFUSED 127.0.0.1:5001';
    const { ends } = await f.run();
    expect(ends).toHaveLength(3);
    for (const end of ends) {
      expect(end).toMatchObject({
        outcome: { kind: 'failed', phase: 'preflight' },
        row: {
          status: 'failed',
          phase: 'preflight',
          error: 'registry localhost:5001: connect ECONNREFUSED 127.0.0.1:5001',
        },
      });
    }
    expect(f.registry.count('ping')).toBe(1);
    expect(f.builder.calls).toEqual([]);
    expect((await f.rows()).map((r) => r.phase)).toEqual(['preflight', 'preflight', 'preflight']);
  });

  it('an image the registry holds incompletely after the push (missing blob): failed in phase verify, no content tag, no pin', async () => {
    const f = fleet([{ name: 'a' }, { name: 'b' }]);
    f.registry.incomplete.add('ameide/a');
    const { byName } = await f.run();
    expect(byName.a).toMatchObject({
      outcome: { kind: 'failed', phase: 'verify' },
      row: { status: 'failed', phase: 'verify', verify: 'missing-blob', attempts: 1 },
    });
    expect(byName.a!.row.error).toMatch(
      /^localhost:5001: localhost:5001\/ameide\/a:dev: layer sha256:[a-f0-9]{64} is missing/,
    );
    expect(Object.keys(f.registry.tagsOf('ameide/a'))).toEqual(['dev']);
    expect(byName.b!.row.status).toBe('pushed');
    const pins = JSON.parse(await readFile(workspacePaths(f.ws.manifest).digests, 'utf8')) as Record<
      string,
      { digest: string }
    >;
    expect(Object.keys(pins)).toEqual(['b']);
    expect(pins.b!.digest).toBe(byName.b!.row.digest);
  });

  it('yields each service as it ends: a fast one before a slow one is done', async () => {
    const f = fleet([{ name: 'slow' }, { name: 'fast' }]);
    f.builder.plan('slow', { build: { ms: 2000 } });
    const options: RunOptions = {
      env: {},
      signal: new AbortController().signal,
      jobs: 2,
      say: () => undefined,
      registry: f.registry.asRun(),
      builder: f.builder,
    };
    const order: { service: string; slowBuildDone: boolean }[] = [];
    for await (const end of pushServices(f.ws.manifest, ['slow', 'fast'], options)) {
      order.push({
        service: end.service,
        slowBuildDone: f.builder.events().some((e) => e.service === 'slow' && e.kind === 'build' && e.phase === 'end'),
      });
    }
    expect(order).toEqual([
      { service: 'fast', slowBuildDone: false },
      { service: 'slow', slowBuildDone: true },
    ]);
  });

  it('a push that fails every attempt: failed in phase push with the explained reason and the attempts made', async () => {
    const f = fleet([{ name: 'a' }], { retries: 1 });
    const refused: PushStep = { exitCode: 1, message: 'dial tcp 127.0.0.1:5001: connect: connection refused' };
    f.builder.plan('a', { pushes: [refused, refused] });
    const { byName } = await f.run();
    expect(byName.a).toMatchObject({
      outcome: { kind: 'failed', phase: 'push' },
      row: { status: 'failed', phase: 'push', attempts: 2 },
    });
    expect(byName.a!.row.error).toBe(
      'push failed after 2 attempts: nothing listens at localhost:5001: start the registry (bash tools/dev-env/up.sh) or fix registry.pushHost',
    );
  });

  it("two overlapping runs of a service: the second is busy (the holder pid, phase none), and the rows keep the first run's pushed row", async () => {
    const f = fleet([{ name: 'a' }]);
    f.builder.plan('a', { build: { ms: 1500 } });
    const first = f.run();
    await f.builder.waitFor((events) => events.some((e) => e.kind === 'build' && e.phase === 'start'));
    const second = await f.run();
    expect(second.byName.a).toMatchObject({
      outcome: { kind: 'busy', pids: [process.pid] },
      row: { status: 'busy', phase: '', startedAt: '' },
      unrecorded: '',
    });
    expect(f.said).toContain(
      `[a] busy: another run (pid ${process.pid}) is pushing a right now: wait for it to end, or stop it`,
    );
    const { byName } = await first;
    expect(byName.a!.outcome.kind).toBe('pushed');
    // The busy row landed first and the winner started earlier: the winner's row is what stays.
    expect((await f.rows()).map((r) => [r.service, r.status, r.runId])).toEqual([['a', 'pushed', byName.a!.row.runId]]);
  });

  it('a lock file that cannot be written is a failure in phase artifacts naming it, not "another run is pushing"', async () => {
    const f = fleet([{ name: 'a' }]);
    const state = workspacePaths(f.ws.manifest).state;
    await mkdir(state, { recursive: true });
    await writeFile(join(state, 'services'), 'not a directory\n');
    const { byName } = await f.run();
    expect(byName.a!.outcome).toMatchObject({ kind: 'failed', phase: 'artifacts' });
    expect(byName.a!.row.error).toMatch(
      /^cannot take the service's lock in artifacts\/\.imagefleet\/services\/a: E\w+: /,
    );
    expect(byName.a!.row.error).not.toMatch(/another run/);
    expect(f.builder.calls).toEqual([]);
  });

  it('rows that cannot be written (a full disk): every service still ends with its outcome and pin, said so, and the run goes on', async () => {
    const f = fleet([{ name: 'base' }, { name: 'app', dependsOn: ['base'] }]);
    const full = Object.assign(
      new Error('cannot write build-summary-dev.csv: ENOSPC: no space left on device, write'),
      {
        code: 'ENOSPC',
      },
    );
    const recorder = { record: () => Promise.reject(full) };
    const { byName } = await f.run(undefined, { recorder });
    for (const name of ['base', 'app']) {
      expect(byName[name]).toMatchObject({
        outcome: { kind: 'pushed' },
        pin: { service: name, pin: { digest: byName[name]!.row.digest } },
        unrecorded: full.message,
      });
      expect(f.said).toContain(`[${name}] its row could not be written: ${full.message}`);
    }
  });

  it('a name the manifest does not have is refused before anything runs', async () => {
    const f = fleet([{ name: 'a' }]);
    await expect(f.run(['a', 'nope'])).rejects.toThrow(`${f.ws.manifest.file}: no service "nope"`);
    expect(f.builder.calls).toEqual([]);
  });
});

describe('buildServices', () => {
  it('builds what changed and pushes nothing, writing no rows', async () => {
    const f = fleet([{ name: 'a' }, { name: 'b' }]);
    f.builder.plan('b', { build: { exitCode: 1, message: 'boom' } });
    const results: { service: string; outcome: Outcome }[] = [];
    const options: RunOptions = {
      env: {},
      signal: new AbortController().signal,
      jobs: 2,
      say: () => undefined,
      registry: f.registry.asRun(),
      builder: f.builder,
    };
    for await (const r of buildServices(f.ws.manifest, ['a', 'b'], options)) results.push(r);
    expect(results.find((r) => r.service === 'a')).toEqual({ service: 'a', outcome: { kind: 'built' } });
    expect(results.find((r) => r.service === 'b')).toMatchObject({
      outcome: { kind: 'failed', phase: 'build', reason: expect.stringContaining('boom') },
    });
    expect(f.builder.calls.map((c) => c.kind)).toEqual(['build', 'build']);
    expect(f.registry.count('putManifest')).toBe(0);
    expect(await f.rows()).toEqual([]);
  });
});
