/**
 * Before the first build: can this machine push at all, and does the builder answer? The push
 * host must answer `/v2/` on the scheme the manifest implies, accept the credentials, and
 * resolve; a builder with a probe (`buildctl debug workers`) must answer within seconds — so a
 * run that cannot push or build fails in seconds, naming what did not answer, not after every build.
 */
import { explainBuildFailure } from '@imagefleet/buildkit';
import { runCommand } from '@imagefleet/process';
import type { RunContext } from './context.js';

export interface PreflightOutcome {
  ok: boolean;
  /** One line: what is wrong and how to fix it ('' when ok). */
  detail: string;
}

/** How long the builder has to answer its probe. */
export const BUILDER_PROBE_TIMEOUT_MS = 10_000;

export async function preflightRegistry(run: Pick<RunContext, 'manifest' | 'registry'>): Promise<PreflightOutcome> {
  const ping = await run.registry.push.ping();
  if (ping.status === 'ok') return { ok: true, detail: '' };
  return { ok: false, detail: `registry ${run.manifest.registry.pushHost}: ${ping.detail}` };
}

export async function preflightBuilder(run: Pick<RunContext, 'manifest' | 'builder'>): Promise<PreflightOutcome> {
  const probe = run.builder.probe();
  if (!probe) return { ok: true, detail: '' };
  const res = await runCommand(probe.file, probe.args, { env: probe.env, timeoutMs: BUILDER_PROBE_TIMEOUT_MS });
  if (res.ok) return { ok: true, detail: '' };
  const explained = explainBuildFailure(`${res.stdout}\n${res.stderr}`, probe.file);
  return { ok: false, detail: explained ?? builderUnreachable(run.manifest, probe.file, res.reason) };
}

/** The builder did not answer: say where, and the fix that fits where it is. */
export function builderUnreachable(manifest: RunContext['manifest'], file: string, reason: string): string {
  const where = manifest.builder.endpoint ?? "buildctl's default (unix:///run/buildkit/buildkitd.sock)";
  if (/ENOENT|not found|no such file/i.test(reason) && !reason.includes('buildkitd.sock'))
    return `${file} not found: get a static buildctl from https://github.com/moby/buildkit/releases (bin/buildctl) and set builder.buildctl or IMAGEFLEET_BUILDCTL`;
  const local = /^(unix:|tcp:\/\/(127\.|localhost|\[::1\]))/.test(manifest.builder.endpoint ?? 'unix:');
  const fix = local
    ? 'start one (bash tools/dev-env/up.sh --buildkitd) or fix builder.endpoint / BUILDKIT_HOST'
    : 'check that buildkitd runs there and this machine reaches it, or fix builder.endpoint / BUILDKIT_HOST';
  return `no BuildKit daemon answers at ${where} (${lastLine(reason)}): ${fix}`;
}

function lastLine(text: string): string {
  return text.trim().split('\n').at(-1)?.trim() ?? '';
}
