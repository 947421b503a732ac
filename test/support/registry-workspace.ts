/**
 * The setup most integration suites share: a fresh registry on loopback and a workspace whose
 * manifest points at it, made before the suite's tests and removed after them.
 */
import { afterAll, beforeAll } from 'vitest';
import { startRegistry, type RunningRegistry } from './registry-server.js';
import { dockerAvailable, makeWorkspace, type TestWorkspace } from './workspace.js';

export interface RegistryWorkspace {
  readonly registry: RunningRegistry;
  readonly ws: TestWorkspace;
}

export function useRegistryWorkspace(manifest: (registryHost: string) => string, apps: string[]): RegistryWorkspace {
  const state: { registry?: RunningRegistry; ws?: TestWorkspace } = {};
  beforeAll(async () => {
    if (!(await dockerAvailable())) throw new Error('no Docker engine answers: run `bash tools/dev-env/up.sh` first');
    state.registry = await startRegistry();
    state.ws = makeWorkspace({ manifest: manifest(state.registry.host), apps });
  }, 60_000);
  afterAll(async () => {
    await state.registry?.stop();
    state.ws?.dispose();
  });
  return {
    get registry() {
      return state.registry!;
    },
    get ws() {
      return state.ws!;
    },
  };
}
