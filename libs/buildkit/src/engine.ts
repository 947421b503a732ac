/**
 * The Docker engine's own API, for what the CLI does not tell: which engine it is (version,
 * image store) and a push that reports upload progress. A non-TTY `docker push` prints nothing
 * while a layer uploads, so "no output" cannot tell a slow upload from a stuck one; the API
 * streams `progressDetail.current/total` per layer, and the pushed digest in its `aux` message.
 * Credentials go in `X-Registry-Auth`, so the engine pushes with the same credentials imagefleet
 * checked in preflight. Transport: docker-modem (dockerode's), which speaks unix, tcp and ssh.
 */
import type Modem from 'docker-modem';
import { parsePushDigest } from './output.js';

export interface EngineInfo {
  /** Server version, e.g. `28.5.2`. */
  version: string;
  /** The containerd image store (`driver-type io.containerd.snapshotter.v1`): pushes indexes, and a cancelled push really stops. */
  containerdStore: boolean;
}

export interface PushAuth {
  username: string;
  password: string;
  serveraddress: string;
}

export interface PushProgress {
  /** Bytes uploaded so far, over every layer that reported progress. */
  done: number;
  /** Their total, as far as known. */
  total: number;
}

export interface EnginePushOptions {
  auth?: PushAuth | null;
  signal: AbortSignal;
  /** Each progress message, as the CLI would print it (one line). */
  onLine?: (line: string) => void;
  /** Called whenever the upload moves: more bytes, or a layer changing state (Preparing → Pushing → Pushed, "Retrying in 5 seconds"). */
  onProgress?: (progress: PushProgress) => void;
}

export interface Engine {
  info(): Promise<EngineInfo>;
  /** Push `reference` (`host/repo:tag`); resolves with the pushed digest, rejects with the engine's message. */
  push(reference: string, opts: EnginePushOptions): Promise<{ digest: string }>;
}

interface ProgressMessage {
  status?: string;
  id?: string;
  progressDetail?: { current?: number; total?: number };
  aux?: { Tag?: string; Digest?: string; Size?: number };
  error?: string;
  errorDetail?: { message?: string };
}

/** The engine at `dockerHost` (a DOCKER_HOST value); the default socket when unset. */
export function createEngine(dockerHost: string | undefined): Engine {
  // Loaded on first use: docker-modem brings ssh2 (~0.4 s to load here), and a run with nothing
  // to push never needs it.
  let loaded: Promise<Modem> | undefined;
  const modemFor = () => (loaded ??= import('docker-modem').then(({ default: M }) => new M(modemOptions(dockerHost))));
  const call = <T>(path: string, method: 'GET' | 'POST', extra: Record<string, unknown> = {}) =>
    modemFor().then(
      (modem) =>
        new Promise<T>((resolve, reject) => {
          modem.dial(
            {
              path,
              method,
              statusCodes: { 200: true, 404: 'not found', 500: 'server error' },
              options: {},
              ...extra,
            } as never,
            (err, data) => (err ? reject(err) : resolve(data as T)),
          );
        }),
    );
  return {
    async info() {
      const [version, info] = await Promise.all([
        call<{ Version?: string }>('/version', 'GET'),
        call<{ DriverStatus?: [string, string][] }>('/info', 'GET'),
      ]);
      const driverType = (info.DriverStatus ?? []).find(([k]) => k === 'driver-type')?.[1] ?? '';
      return { version: version.Version ?? '?', containerdStore: driverType === 'io.containerd.snapshotter.v1' };
    },
    async push(reference, opts) {
      const { name, tag } = splitTag(reference);
      const modem = await modemFor();
      const stream = await call<NodeJS.ReadableStream>(
        `/images/${encodeURIComponent(name).replace(/%2F/g, '/')}/push?`,
        'POST',
        {
          isStream: true,
          abortSignal: opts.signal,
          options: { tag },
          authconfig: opts.auth
            ? { username: opts.auth.username, password: opts.auth.password, serveraddress: opts.auth.serveraddress }
            : {},
        },
      );
      const layers = new Map<string, { status: string; current: number; total: number }>();
      let digest = '';
      let failure = '';
      const onMessage = (m: ProgressMessage) => {
        if (m.error || m.errorDetail) {
          failure = m.errorDetail?.message ?? m.error ?? 'push failed';
          opts.onLine?.(failure);
          return;
        }
        // The `aux` message carries the digest; engines also say it in a status line, as the CLI prints it.
        if (m.aux?.Digest) digest = m.aux.Digest;
        else if (m.status && !digest) digest = parsePushDigest(m.status) ?? '';
        if (!m.id) {
          if (m.status) opts.onLine?.(m.status);
          return;
        }
        // Engines repeat a layer's state (Docker 28 says "Waiting" every 100 ms): only a change of
        // state or of uploaded bytes is progress, and only a change of state is a line.
        const status = m.status ?? '';
        const before = layers.get(m.id);
        const current =
          typeof m.progressDetail?.current === 'number' ? m.progressDetail.current : (before?.current ?? 0);
        const total = m.progressDetail?.total ?? before?.total ?? 0;
        const finished = /^(Pushed|Layer already exists|Mounted from)/.test(status);
        const layer = { status, current: finished && total ? total : current, total };
        layers.set(m.id, layer);
        if (before?.status !== status) opts.onLine?.(`${m.id}: ${status}`);
        if (before?.status === status && before.current === layer.current) return;
        let done = 0;
        let sum = 0;
        for (const l of layers.values()) {
          done += l.current;
          sum += l.total;
        }
        opts.onProgress?.({ done, total: sum });
      };
      await new Promise<void>((resolve, reject) => {
        const onAbort = () => reject(opts.signal.reason ?? new Error('aborted'));
        opts.signal.addEventListener('abort', onAbort, { once: true });
        modem.followProgress(
          stream,
          (err) => {
            opts.signal.removeEventListener('abort', onAbort);
            if (err) reject(err);
            else resolve();
          },
          onMessage,
        );
      });
      if (failure) throw new Error(failure);
      if (!digest) throw new Error(`the engine pushed ${reference} but reported no digest`);
      return { digest };
    },
  };
}

/** docker-modem options for a DOCKER_HOST value: unix://, tcp://, ssh:// (undefined: the default socket). */
export function modemOptions(dockerHost: string | undefined): Modem.ConstructorOptions | undefined {
  if (!dockerHost) return { socketPath: '/var/run/docker.sock' };
  const url = new URL(dockerHost);
  switch (url.protocol) {
    case 'unix:':
      return { socketPath: url.pathname };
    case 'tcp:':
      return { host: url.hostname, port: url.port || 2375, protocol: 'http' };
    case 'ssh:':
      return {
        host: url.hostname,
        port: url.port || 22,
        protocol: 'ssh',
        username: url.username || undefined,
      } as Modem.ConstructorOptions;
    default:
      throw new Error(`DOCKER_HOST=${dockerHost}: expected unix://, tcp:// or ssh://`);
  }
}

/** `host:5001/ns/svc:dev` → name `host:5001/ns/svc`, tag `dev` (a port colon is not a tag). */
export function splitTag(reference: string): { name: string; tag: string } {
  const slash = reference.lastIndexOf('/');
  const colon = reference.lastIndexOf(':');
  if (colon > slash) return { name: reference.slice(0, colon), tag: reference.slice(colon + 1) };
  return { name: reference, tag: 'latest' };
}
