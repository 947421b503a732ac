/**
 * Runs before every test file (vitest `setupFiles`): the engine tools/dev-env/up.sh started is
 * the one the tests use, with the client it names — `<state>/engine.env` (DOCKER_HOST,
 * IMAGEFLEET_DOCKER, DOCKER_CONFIG for Docker 28's buildx). A value already in the environment
 * wins, so a caller can point the suite at another engine.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const file = join(process.env['IMAGEFLEET_STATE_DIR'] || join(root, '.imagefleet'), 'engine.env');
if (existsSync(file)) {
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const eq = line.indexOf('=');
    if (eq <= 0) continue;
    const key = line.slice(0, eq).trim();
    if (process.env[key] === undefined) process.env[key] = line.slice(eq + 1).trim();
  }
}
