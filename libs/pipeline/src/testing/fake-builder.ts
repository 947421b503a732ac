/**
 * A Builder whose builds are real child processes (`node fake-docker.mjs <step>`) printing what
 * the docker CLI prints, so the pipeline runs its one process module, kill and output parsers for
 * real, with no Docker; and an Engine whose pushes report progress the way the engine's API does
 * (a stalled one reports nothing until cancelled). A push announces its image to the fake
 * registry, which takes it in once pushed. Per service, a test can plan a slow or failing
 * build and a list of push attempts (fail, stall, slow); every command is logged, and every
 * child's start and end lands in an events file read by `events()`.
 */
import { appendFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { OCI_MANIFEST, sha256Digest } from '@imagefleet/registry';
import type { BuildSpec, Builder, CommandLine, Engine } from '@imagefleet/buildkit';
import { systemClock, type Clock } from '@imagefleet/process';
import type { FakeRegistry } from './fake-registry.js';

const SCRIPT = fileURLToPath(new URL('./fake-docker.mjs', import.meta.url));

export interface BuildStep {
  /** How long the build runs. @default 20 */
  ms?: number;
  /** Exit with this code (and a BuildKit error on stderr) instead of writing an image. */
  exitCode?: number;
  /** The error printed when `exitCode` is set. */
  message?: string;
  /** Print nothing and sleep until killed. */
  stall?: boolean;
}

export interface PushStep extends BuildStep {
  /** Report upload progress this often while the push runs (a slow, healthy upload). */
  progressEveryMs?: number;
  /** Print this digest instead of the image's (the registry still gets the image's). */
  printDigest?: string;
}

export interface FakeCall {
  kind: 'build' | 'push';
  service: string;
  /** Primary tag (build) or pushed reference (push). */
  ref: string;
  /** Build only: what the pipeline asked to build. */
  spec?: BuildSpec;
  /** Push only: the digest of the image pushed. */
  digest?: string;
}

export interface FakeEvent {
  kind: 'build' | 'push';
  service: string;
  phase: 'start' | 'end';
  /** Date.now() in the child; for a push, the engine's clock's now(). */
  t: number;
  pid: number;
}

export interface FakeBuilder extends Builder, Engine {
  /** What this service's next build does, and its push attempts in order (then: succeed). */
  plan(service: string, plan: { build?: BuildStep; pushes?: PushStep[] }): void;
  readonly calls: FakeCall[];
  events(): FakeEvent[];
  /** Resolves with the events once `until` holds for them; rejects after `timeoutMs`. */
  waitFor(until: (events: FakeEvent[]) => boolean, timeoutMs?: number): Promise<FakeEvent[]>;
}

/** @param dir a temp directory for the events file and push markers. */
export function createFakeBuilder(
  registry: FakeRegistry,
  dir: string,
  /** Which engine it pretends to be: the classic store keeps a cancelled upload (Docker 20.10). */
  engine: { version: string; containerdStore: boolean } = { version: '28.5.2', containerdStore: true },
  /** What a push's duration, progress reports and events go by. */
  clock: Clock = systemClock,
): FakeBuilder {
  mkdirSync(join(dir, 'pushed'), { recursive: true });
  const eventsFile = join(dir, 'events.jsonl');
  const builds = new Map<string, BuildStep>();
  const pushes = new Map<string, PushStep[]>();
  const built = new Map<string, number>();
  /** The labels of each service's last build: its image config carries them, as BuildKit's does. */
  const labels = new Map<string, Record<string, string>>();
  const calls: FakeCall[] = [];
  let pushCount = 0;

  const command = (step: Record<string, unknown>): CommandLine => ({
    file: process.execPath,
    args: [
      SCRIPT,
      JSON.stringify({ events: eventsFile, ms: 20, exitCode: 0, message: 'fake failure', stall: false, ...step }),
    ],
    env: {},
  });
  const events = (): FakeEvent[] => {
    let text = '';
    try {
      text = readFileSync(eventsFile, 'utf8');
    } catch {
      return [];
    }
    return text
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as FakeEvent);
  };

  return {
    driver: 'docker',
    pushesItself: false,
    calls,
    events,
    plan(service, plan) {
      if (plan.build) builds.set(service, plan.build);
      if (plan.pushes) pushes.set(service, [...plan.pushes]);
    },
    async waitFor(until, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const seen = events();
        if (until(seen)) return seen;
        if (Date.now() > deadline)
          throw new Error(`waitFor: not seen within ${timeoutMs} ms; events: ${JSON.stringify(seen)}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
    buildCommand(spec) {
      const n = (built.get(spec.service) ?? 0) + 1;
      built.set(spec.service, n);
      labels.set(spec.service, spec.labels);
      calls.push({ kind: 'build', service: spec.service, ref: spec.tags[0]!, spec });
      const imageId = sha256Digest(Buffer.from(`${spec.service} build ${n}`));
      return command({
        kind: 'build',
        service: spec.service,
        ref: spec.tags[0],
        iidFile: spec.iidFile,
        imageId,
        ...builds.get(spec.service),
      });
    },
    info: async () => ({ version: engine.version, containerdStore: engine.containerdStore }),
    async push(ref, opts) {
      const repo = ref.slice(ref.indexOf('/') + 1, ref.lastIndexOf(':'));
      const tag = ref.slice(ref.lastIndexOf(':') + 1);
      const service = repo.split('/').at(-1)!;
      // The image is what the last build made: pushing it again gives the same digest.
      const configBytes = Buffer.from(
        JSON.stringify({
          build: `${service} build ${built.get(service) ?? 0}`,
          config: { Labels: labels.get(service) ?? {} },
        }),
      );
      const config = sha256Digest(configBytes);
      registry.blobs.set(config, configBytes);
      const bytes = Buffer.from(
        JSON.stringify({
          schemaVersion: 2,
          mediaType: OCI_MANIFEST,
          config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: config, size: 2 },
          layers: [],
        }),
      );
      const digest = sha256Digest(bytes);
      const marker = join(dir, 'pushed', `${++pushCount}`);
      registry.expectPush({ repo, tag, digest, bytes, marker });
      calls.push({ kind: 'push', service, ref, digest });
      const step: PushStep = { ms: 20, ...pushes.get(service)?.shift() };
      const event = (phase: 'start' | 'end') =>
        appendFileSync(
          eventsFile,
          `${JSON.stringify({ kind: 'push', service, phase, t: clock.now(), pid: process.pid })}\n`,
        );
      event('start');
      try {
        opts.onLine?.(`The push refers to repository [${ref.replace(/:[^:/]+$/, '')}]`);
        // A stalled upload reports nothing until the push is cancelled.
        let cancelTick = () => {};
        const tick = (every: number) => {
          cancelTick = clock.after(every, () => {
            opts.onProgress?.({ done: clock.now() % 1e6, total: 1e6 });
            tick(every);
          });
        };
        if (step.progressEveryMs) tick(step.progressEveryMs);
        try {
          await clock.sleep(step.stall ? 600_000 : step.ms!, opts.signal);
        } finally {
          cancelTick();
        }
        if (step.exitCode) throw new Error(step.message ?? 'fake failure');
        opts.onProgress?.({ done: 528, total: 528 });
        opts.onLine?.('5f70bf18a086: Pushed');
        writeFileSync(marker, '');
        opts.onLine?.(`${tag}: digest: ${step.printDigest ?? digest} size: 528`);
        return { digest: step.printDigest ?? digest };
      } finally {
        event('end');
      }
    },
  };
}
