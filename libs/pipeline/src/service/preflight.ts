/**
 * Before the first build: can this machine push at all? The push host must answer `/v2/` on
 * the scheme the manifest implies, accept the credentials, and resolve — so a run that cannot
 * push fails in seconds, not after every build.
 */
import type { RunContext } from './context.js';

export interface PreflightOutcome {
  ok: boolean;
  /** One line: what is wrong and how to fix it ('' when ok). */
  detail: string;
}

export async function preflightRegistry(run: Pick<RunContext, 'manifest' | 'registry'>): Promise<PreflightOutcome> {
  const ping = await run.registry.push.ping();
  if (ping.status === 'ok') return { ok: true, detail: '' };
  return { ok: false, detail: `registry ${run.manifest.registry.pushHost}: ${ping.detail}` };
}
