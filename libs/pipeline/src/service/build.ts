/**
 * The build phase: resolve the images this one builds FROM, then run the builder. How many
 * builds run at once is the run's business (libs/pipeline/src/fleet/run.ts), not this one's.
 */
import { mkdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { explainBuildFailure, parseImageId, withSecretFiles } from '@imagefleet/buildkit';
import { runCommand, systemClock, type Clock, type Redactor } from '@imagefleet/process';
import type { ServiceLog } from '@imagefleet/report';
import type { ServiceContext } from './context.js';
import { baseImageArg } from './registry.js';
import { seconds } from '../seconds.js';
import type { PushAttemptResult } from './push.js';

export interface BuildOutcome {
  ok: boolean;
  imageId: string;
  durationMs: number;
  baseDigests: Record<string, string>;
  error: string;
  interrupted: boolean;
}

/**
 * The digests of the images this service builds FROM, as the registry has them now. They are
 * passed pinned by digest (`PLATFORM_BASE_IMAGE=<pushHost>/<ns>/platform-base@sha256:…`) so
 * the build uses exactly what was pushed and verified, not whatever the daemon has tagged.
 */
export async function resolveBaseImages(
  ctx: ServiceContext,
  known: Record<string, string> = {},
): Promise<ResolvedBase> {
  const args: Record<string, string> = {};
  const digests: Record<string, string> = {};
  const { pushHost, namespace } = ctx.manifest.registry;
  // A builder that pushes itself pulls its bases by the registry's name as it reaches it.
  const fromHost = ctx.builder.pushesItself ? ctx.manifest.registry.builderHost : pushHost;
  for (const [dep, digest] of Object.entries(known)) {
    digests[dep] = digest;
    args[baseImageArg(dep)] = `${fromHost}/${namespace}/${dep}@${digest}`;
  }
  const client = ctx.registry.push;
  const tag = ctx.service.tags[0]!;
  for (const dep of ctx.service.dependsOn.filter((d) => !(d in known))) {
    const repo = `${ctx.manifest.registry.namespace}/${dep}`;
    const head = await client.headManifest(repo, tag);
    if (!head) {
      throw new Error(
        `base image ${ctx.manifest.registry.pushHost}/${repo}:${tag} (dependsOn ${dep}) is not in the registry: push it first (nx run ${dep}:push)`,
      );
    }
    digests[dep] = head.digest;
    args[baseImageArg(dep)] = `${fromHost}/${repo}@${head.digest}`;
  }
  return { args, digests };
}

/** How long this process's own interrupt may trail the builder's death from the same Ctrl-C. */
export const INTERRUPT_GRACE_MS = 1000;

/**
 * Ctrl-C reaches every process of the terminal's foreground group, so the builder may die from
 * the interrupt a moment before this process hears of it: a child killed by a signal, or a
 * BuildKit session cancelled under it, is an interrupt when the run's own signal follows within
 * {@link INTERRUPT_GRACE_MS}; without it (a builder killed by something else), a failure.
 */
export async function wasInterrupted(
  signal: AbortSignal,
  result: {
    aborted: boolean;
    stalled: boolean;
    timedOut: boolean;
    signal: string | null;
    stderr: string;
    stdout: string;
  },
  clock: Clock = systemClock,
): Promise<boolean> {
  if (result.aborted || signal.aborted) return true;
  if (result.stalled || result.timedOut) return false; // our own kill
  const external = result.signal !== null || /context canceled/i.test(`${result.stderr}\n${result.stdout}`);
  if (!external) return false;
  // Wait for our own interrupt: the sleep ends early (rejecting) the moment the run's signal aborts.
  await clock.sleep(INTERRUPT_GRACE_MS, signal).catch(() => undefined);
  return signal.aborted;
}

export interface ResolvedBase {
  args: Record<string, string>;
  digests: Record<string, string>;
}

export async function buildImage(
  ctx: ServiceContext,
  log: ServiceLog,
  secrets: { values: Record<string, string>; redact: Redactor },
  base: ResolvedBase,
): Promise<BuildOutcome> {
  const { clock } = ctx;
  const started = clock.now();
  const baseDigests = base.digests;
  try {
    await mkdir(ctx.paths.builds, { recursive: true });
    const iidFile = join(ctx.paths.builds, `${ctx.service.name}.iid`);
    // Secret values reach BuildKit as 0600 files removed after the build, never as the CLI's
    // environment (a secret named DOCKER_HOST would redirect the CLI itself).
    const { cmd, result } = await withSecretFiles(
      { service: ctx.service.name, names: ctx.service.secrets, values: secrets.values },
      async (secretFiles) => {
        const cmd = ctx.builder.buildCommand({
          service: ctx.service.name,
          context: ctx.service.context,
          dockerfile: ctx.service.dockerfile,
          tags: [...new Set([...ctx.refs.reference, ...ctx.refs.local, ...ctx.refs.push])],
          buildArgs: { ...ctx.service.buildArgs, ...base.args },
          secrets: ctx.service.secrets,
          secretFiles,
          labels: ctx.labels,
          annotations: ctx.annotations,
          iidFile,
        });
        log.line(`$ ${secrets.redact([cmd.file, ...cmd.args].join(' '))}`);
        const result = await runCommand(cmd.file, cmd.args, {
          env: cmd.env,
          cwd: ctx.manifest.root,
          redact: secrets.redact,
          keepRaw: true,
          signal: ctx.signal,
          clock,
          onLine: (line) => log.line(line),
        });
        return { cmd, result };
      },
    );
    log.line(`build ${result.ok ? 'finished' : 'failed'} after ${seconds(clock.now() - started)} s`);
    if (!result.ok) {
      const output = `${result.raw?.stdout ?? ''}\n${result.raw?.stderr ?? ''}`;
      const error = explainBuildFailure(output, cmd.file, secrets.redact) ?? result.reason;
      return {
        ok: false,
        imageId: '',
        durationMs: clock.now() - started,
        baseDigests,
        error,
        interrupted: await wasInterrupted(ctx.signal, result, clock),
      };
    }
    const imageId = parseImageId(await readFile(iidFile, 'utf8').catch(() => '')) ?? '';
    return { ok: true, imageId, durationMs: clock.now() - started, baseDigests, error: '', interrupted: false };
  } catch (error) {
    return {
      ok: false,
      imageId: '',
      durationMs: clock.now() - started,
      baseDigests,
      error: secrets.redact((error as Error).message),
      interrupted: ctx.signal.aborted,
    };
  }
}

/**
 * A builder that pushes itself (a named buildx builder, another endpoint): one attempt of
 * `buildx build --output type=image,push=true` to `registry.builderHost`. BuildKit reports no
 * upload bytes for a push, so its stall watch is output silence, armed only once the push
 * begins (a long RUN step may print nothing too). Re-running after a failed push rebuilds from
 * BuildKit's cache. The pushed digest comes from `--metadata-file` (`containerimage.digest`).
 */
export async function builderPushAttempt(
  ctx: ServiceContext,
  log: ServiceLog,
  secrets: { values: Record<string, string>; redact: Redactor },
  base: ResolvedBase,
  signal: AbortSignal,
): Promise<PushAttemptResult> {
  const stallMs = ctx.manifest.push.stallSeconds * 1000;
  await mkdir(ctx.paths.builds, { recursive: true });
  const metadataFile = join(ctx.paths.builds, `${ctx.service.name}.metadata.json`);
  await rm(metadataFile, { force: true });
  const stall = new AbortController();
  let pushing = false;
  // Armed when the push begins and re-armed on every line: the stall is declared exactly
  // stallSeconds after the last line of a push.
  let cancelWatch = () => {};
  const watch = () => {
    cancelWatch();
    cancelWatch = ctx.clock.after(stallMs, () =>
      stall.abort(new Error(`no output for ${ctx.manifest.push.stallSeconds} s while the builder pushed: stalled`)),
    );
  };
  try {
    const result = await withSecretFiles(
      { service: ctx.service.name, names: ctx.service.secrets, values: secrets.values },
      async (secretFiles) => {
        const cmd = ctx.builder.buildCommand({
          service: ctx.service.name,
          context: ctx.service.context,
          dockerfile: ctx.service.dockerfile,
          tags: ctx.refs.builder.slice(0, 1),
          buildArgs: { ...ctx.service.buildArgs, ...base.args },
          secrets: ctx.service.secrets,
          secretFiles,
          labels: ctx.labels,
          annotations: ctx.annotations,
          iidFile: join(ctx.paths.builds, `${ctx.service.name}.iid`),
          push: { metadataFile },
        });
        log.line(`$ ${secrets.redact([cmd.file, ...cmd.args].join(' '))}`);
        return runCommand(cmd.file, cmd.args, {
          env: cmd.env,
          cwd: ctx.manifest.root,
          redact: secrets.redact,
          keepRaw: true,
          signal: AbortSignal.any([signal, stall.signal]),
          clock: ctx.clock,
          onLine: (line) => {
            if (/ pushing (layers|manifest)/.test(line)) pushing = true;
            if (pushing) watch();
            log.line(line);
          },
        });
      },
    );
    if (!result.ok) {
      if (stall.signal.aborted && !signal.aborted)
        return { ok: false, error: `${(stall.signal.reason as Error).message}, killed`, final: false };
      const output = `${result.raw?.stdout ?? ''}\n${result.raw?.stderr ?? ''}`;
      const error = explainBuildFailure(output, ctx.builder.driver, secrets.redact) ?? result.reason;
      // Failing before the push began is a build failure: retrying the push cannot help.
      return pushing ? { ok: false, error, final: false } : { ok: false, error, final: true, buildFailed: true };
    }
    const metadata = JSON.parse(await readFile(metadataFile, 'utf8').catch(() => '{}')) as {
      'containerimage.digest'?: string;
    };
    const digest = metadata['containerimage.digest'];
    if (!digest)
      return { ok: false, error: `the builder wrote no containerimage.digest to ${metadataFile}`, final: false };
    return { ok: true, digest };
  } finally {
    cancelWatch();
  }
}
