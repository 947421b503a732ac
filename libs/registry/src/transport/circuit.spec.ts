import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRegistryClient } from '../client.js';
import { RegistryError } from '../errors.js';
import { createHostCircuit } from './circuit.js';
import { send } from './send.js';

/** A port that accepts TCP connections and never says a word: the registry of issue 11 #11. */
let silent: Server;
let host: string;
let accepted = 0;
const sockets: Socket[] = [];

beforeAll(async () => {
  silent = createServer((socket) => {
    accepted++;
    sockets.push(socket);
  });
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  host = `127.0.0.1:${(silent.address() as AddressInfo).port}`;
});
afterAll(async () => {
  for (const s of sockets) s.destroy();
  await new Promise((resolve) => silent.close(resolve));
});

async function timed<T>(work: () => Promise<T>): Promise<{ ms: number; error: unknown }> {
  const started = Date.now();
  try {
    await work();
    return { ms: Date.now() - started, error: undefined };
  } catch (error) {
    return { ms: Date.now() - started, error };
  }
}

describe('registry transport timeouts', () => {
  it('a port that accepts and never answers fails within the headers timeout, saying so', async () => {
    const { ms, error } = await timed(() =>
      send(new URL(`http://${host}/v2/`), { method: 'GET', headers: {}, timeoutMs: 60_000, headersTimeoutMs: 400 }),
    );
    expect((error as Error).message).toBe(`no answer from ${host} within 0.4 s (connected, no response)`);
    expect(ms).toBeGreaterThanOrEqual(350);
    expect(ms).toBeLessThan(3000);
  });

  it('by default gives up on the response headers after 10 s, not the 30 s exchange timeout', async () => {
    const { ms, error } = await timed(() =>
      send(new URL(`http://${host}/v2/`), { method: 'GET', headers: {}, timeoutMs: 30_000 }),
    );
    expect((error as Error).message).toMatch(/^no answer from .* within 10 s/);
    expect(ms).toBeGreaterThanOrEqual(9500);
    expect(ms).toBeLessThan(14_000);
  }, 20_000);

  describe.runIf(existsSync('/usr/bin/python3'))(
    'a listener whose accept queue is full (connect never completes)',
    () => {
      let py: ChildProcess;
      let full: string;
      const held: Socket[] = [];
      beforeAll(async () => {
        py = spawn('python3', [
          '-c',
          "import socket,time\ns=socket.socket()\ns.bind(('127.0.0.1',0))\ns.listen(0)\nprint(s.getsockname()[1],flush=True)\ntime.sleep(300)",
        ]);
        const port = await new Promise<number>((resolve) =>
          py.stdout!.once('data', (d) => resolve(Number(String(d).trim()))),
        );
        full = `127.0.0.1:${port}`;
        // Fill the accept queue: this one connects, later SYNs are dropped.
        await new Promise<void>((resolve) => held.push(connect(port, '127.0.0.1', resolve)));
      });
      afterAll(() => {
        for (const s of held) s.destroy();
        py.kill('SIGKILL');
      });

      it('fails within the connect timeout', async () => {
        const { ms, error } = await timed(() =>
          send(new URL(`http://${full}/v2/`), { method: 'GET', headers: {}, timeoutMs: 60_000, connectTimeoutMs: 300 }),
        );
        expect((error as Error).message).toBe(`no answer from ${full} within 0.3 s (no connection)`);
        expect(ms).toBeLessThan(3000);
      });
    },
  );
});

describe('HostCircuit: a host known dead in this run fails at once', () => {
  it('ping says why in ~the timeout (no retries); later calls through the same circuit fail at once with the same reason', async () => {
    const circuit = createHostCircuit();
    const client = createRegistryClient({ host, scheme: 'http', headersTimeoutMs: 500, circuit });
    const first = await timed(() => client.ping().then((r) => Promise.reject(r)));
    const ping = first.error as { status: string; detail: string };
    expect(ping.status).toBe('unreachable');
    expect(ping.detail).toContain(`no answer from ${host} within 0.5 s`);
    expect(first.ms).toBeLessThan(3000);
    expect(circuit.deadHosts).toEqual([host]);

    const before = accepted;
    const other = createRegistryClient({ host, scheme: 'http', headersTimeoutMs: 500, circuit });
    const second = await timed(() => other.headManifest('ameide/web', 'dev'));
    expect(second.ms).toBeLessThan(100);
    expect(second.error).toBeInstanceOf(RegistryError);
    expect((second.error as RegistryError).message).toBe(
      `HEAD manifest dev at ${host}/ameide/web failed: ${circuit.deadReason(host)!.reason}`,
    );
    expect((second.error as RegistryError).retryable).toBe(false);
    expect(accepted).toBe(before); // not even a connection
  });

  it('is per run: a new circuit (a new run) asks the host again', async () => {
    const before = accepted;
    const client = createRegistryClient({ host, scheme: 'http', headersTimeoutMs: 300, circuit: createHostCircuit() });
    expect((await client.ping()).status).toBe('unreachable');
    expect(accepted).toBe(before + 1);
  });
});
