/**
 * Runs before every test file (vitest `setupFiles`): the engine tools/dev-env/up.sh started is
 * the one the tests use, with the client it names — `<state>/engine.env` (DOCKER_HOST,
 * IMAGEFLEET_DOCKER, DOCKER_CONFIG for Docker 28's buildx), read by the resolver every command
 * uses (libs/manifest engine-env). A value already in the environment wins, so a caller can point
 * the suite at another engine.
 */
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { resolveEngineEnv } from '@imagefleet/manifest';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
Object.assign(process.env, resolveEngineEnv(root, process.env));
