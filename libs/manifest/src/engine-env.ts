/**
 * The engine this workspace builds with, found the same way by every command whether or not the
 * shell sourced `.imagefleet/engine.env`. tools/dev-env/up.sh records there which CLI goes with
 * the engine it started (`IMAGEFLEET_DOCKER`), where that engine listens (`DOCKER_HOST`) and the
 * CLI config holding its buildx plugin (`DOCKER_CONFIG`). A plain shell would otherwise run the
 * first `docker` it finds — Debian's 20.10 CLI against Docker 28 here, which pushes another
 * manifest format. A variable set in the environment wins over the recorded one, so a caller can
 * point one command at another engine.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

/** What up.sh records and the tool reads: the CLI, its engine and its config. */
export const ENGINE_VARIABLES = ['IMAGEFLEET_DOCKER', 'DOCKER_HOST', 'DOCKER_CONFIG'] as const;
export type EngineVariable = (typeof ENGINE_VARIABLES)[number];

/** `<IMAGEFLEET_STATE_DIR, else <root>/.imagefleet>/engine.env`, as tools/dev-env/lib.sh names it. */
export function engineEnvFile(root: string, env: NodeJS.ProcessEnv): string {
  return path.join(env['IMAGEFLEET_STATE_DIR'] || path.join(root, '.imagefleet'), 'engine.env');
}

/** `KEY=VALUE` lines of a recorded engine.env; an absent file records nothing. */
export function readEngineEnv(file: string): Record<string, string> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw error;
  }
  const values: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const eq = line.indexOf('=');
    if (eq <= 0 || line.trimStart().startsWith('#')) continue;
    values[line.slice(0, eq).trim()] = line.slice(eq + 1).trim();
  }
  return values;
}

/**
 * The engine variables for a command in the workspace at `root`: each from `env` when set there,
 * else as recorded in engine.env. Only the three engine variables, only those set somewhere.
 */
export function resolveEngineEnv(root: string, env: NodeJS.ProcessEnv): Partial<Record<EngineVariable, string>> {
  const recorded = readEngineEnv(engineEnvFile(root, env));
  const resolved: Partial<Record<EngineVariable, string>> = {};
  for (const name of ENGINE_VARIABLES) {
    const value = env[name] || recorded[name];
    if (value) resolved[name] = value;
  }
  return resolved;
}
