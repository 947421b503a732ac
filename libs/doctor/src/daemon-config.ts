/**
 * Which configuration file the engine really reads. The fix for a missing insecure-registries
 * entry names that file: dockerd started with `--config-file X` never reads
 * /etc/docker/daemon.json, and one given `--insecure-registry` flags refuses to start when the
 * file says it too ("directives are specified both as a flag and in the configuration file").
 * Neither `docker info` nor the API says where the file is; the engine's command line does, read
 * from /proc for an engine on this machine's unix socket.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';

export const DEFAULT_DAEMON_CONFIG = '/etc/docker/daemon.json';

export interface DaemonConfig {
  /** The file dockerd reads (`--config-file`, else /etc/docker/daemon.json). */
  file: string;
  /** Its command line has `--insecure-registry` flags: add another there, not to the file. */
  flags: boolean;
  /** dockerd's command line, when found; null when the engine is elsewhere or not visible. */
  commandLine: string[] | null;
}

/** What dockerd's arguments say: `--config-file`, `--insecure-registry`, its `-H/--host` sockets. */
export function parseDockerdArgs(args: readonly string[]): {
  configFile: string | null;
  insecureFlags: boolean;
  hosts: string[];
} {
  let configFile: string | null = null;
  let insecureFlags = false;
  const hosts: string[] = [];
  for (let i = 0; i < args.length; i += 1) {
    const arg = args[i]!;
    const [flag, inline] =
      arg.startsWith('-') && arg.includes('=')
        ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)]
        : [arg, undefined];
    const value = () => inline ?? args[++i] ?? '';
    if (flag === '--config-file') configFile = value();
    else if (flag === '--insecure-registry') {
      insecureFlags = true;
      if (inline === undefined) i += 1;
    } else if (flag === '-H' || flag === '--host') hosts.push(value());
  }
  return { configFile, insecureFlags, hosts };
}

/**
 * The config of the dockerd serving `dockerHost` (a DOCKER_HOST value; unset: the default
 * socket), found among this machine's processes. Elsewhere (tcp://, ssh://) the default is all
 * that can be said.
 */
export async function daemonConfig(dockerHost: string | undefined, procRoot = '/proc'): Promise<DaemonConfig> {
  const unknown: DaemonConfig = { file: DEFAULT_DAEMON_CONFIG, flags: false, commandLine: null };
  const socket = (dockerHost ?? 'unix:///var/run/docker.sock').replace(/^unix:\/\//, '');
  if (/^[a-z]+:\/\//.test(socket)) return unknown;
  const pids = await readdir(procRoot).catch(() => [] as string[]);
  for (const pid of pids.filter((p) => /^\d+$/.test(p))) {
    const raw = await readFile(path.join(procRoot, pid, 'cmdline'), 'utf8').catch(() => '');
    const args = raw.split('\0').filter(Boolean);
    if (!args[0] || path.basename(args[0]) !== 'dockerd') continue;
    const parsed = parseDockerdArgs(args.slice(1));
    const sockets = parsed.hosts.length ? parsed.hosts : ['unix:///var/run/docker.sock'];
    if (!sockets.some((h) => h.replace(/^unix:\/\//, '') === socket)) continue;
    return { file: parsed.configFile ?? DEFAULT_DAEMON_CONFIG, flags: parsed.insecureFlags, commandLine: args };
  }
  return unknown;
}
