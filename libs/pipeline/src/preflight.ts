/**
 * Before the first build: can this machine push at all? The push host must answer `/v2/` on
 * the scheme the manifest implies, accept the credentials, and resolve — so a run that cannot
 * push fails in seconds, not after every build.
 */
import type { Manifest } from '@imagefleet/manifest';
import { pushClient } from './registry.js';

export interface PreflightOutcome {
  ok: boolean;
  /** One line: what is wrong and how to fix it ('' when ok). */
  detail: string;
}

export async function preflightRegistry(manifest: Manifest, env: NodeJS.ProcessEnv): Promise<PreflightOutcome> {
  const ping = await pushClient(manifest, env).ping();
  if (ping.status === 'ok') return { ok: true, detail: '' };
  return { ok: false, detail: `registry ${manifest.registry.pushHost}: ${ping.detail}` };
}
