/**
 * The engine and CLI the benchmark drives: found by the resolver every command uses
 * (libs/manifest engine-env) — the environment's, else what tools/dev-env/up.sh recorded in
 * `.imagefleet/engine.env` — so a plain shell benchmarks the same CLI as a sourced one. Put into
 * this process's environment, so every docker and nx child gets the same engine and config.
 */
import { resolve } from 'node:path';
import { resolveEngineEnv } from '@imagefleet/manifest';

const engine = resolveEngineEnv(resolve(import.meta.dirname, '..'), process.env);
Object.assign(process.env, engine);

export const DOCKER = engine.IMAGEFLEET_DOCKER ?? '/usr/bin/docker';
