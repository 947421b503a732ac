import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFakeClock } from '@imagefleet/process';
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

/** What `work` threw (`undefined`: it did not). */
const errorOf = (work: Promise<unknown>): Promise<unknown> =>
  work.then(
    () => undefined,
    (error: unknown) => error,
  );

describe('registry transport timeouts', () => {
  it('a port that accepts and never answers fails exactly at the headers timeout, saying so', async () => {
    const clock = createFakeClock();
    const error = errorOf(
      send(new URL(`http://${host}/v2/`), {
        method: 'GET',
        headers: {},
        timeoutMs: 60_000,
        headersTimeoutMs: 400,
        clock,
      }),
    );
    await clock.pending(400); // connected and the request written: the headers timer runs
    await clock.advance(399);
    expect(clock.timers).toEqual([400, 60_000]); // still waiting, on both timers
    await clock.advance(1);
    expect(((await error) as Error).message).toBe(`no answer from ${host} within 0.4 s (connected, no response)`);
  });

  it('by default gives up on the response headers after 10 s, not the 30 s exchange timeout', async () => {
    const clock = createFakeClock();
    const error = errorOf(
      send(new URL(`http://${host}/v2/`), { method: 'GET', headers: {}, timeoutMs: 30_000, clock }),
    );
    await clock.pending(10_000);
    expect(clock.timers).toEqual([10_000, 30_000]);
    await clock.advance(10_000);
    expect(((await error) as Error).message).toBe(`no answer from ${host} within 10 s (connected, no response)`);
  });

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

      it('fails exactly at the connect timeout', async () => {
        const clock = createFakeClock();
        const error = errorOf(
          send(new URL(`http://${full}/v2/`), {
            method: 'GET',
            headers: {},
            timeoutMs: 60_000,
            connectTimeoutMs: 300,
            clock,
          }),
        );
        await clock.pending(300);
        await clock.advance(300);
        expect(((await error) as Error).message).toBe(`no answer from ${full} within 0.3 s (no connection)`);
      });
    },
  );
});

describe('HostCircuit: a host known dead in this run fails at once', () => {
  it('ping says why in ~the timeout (no retries); later calls through the same circuit fail at once with the same reason', async () => {
    const circuit = createHostCircuit();
    const clock = createFakeClock();
    const client = createRegistryClient({ host, scheme: 'http', headersTimeoutMs: 500, circuit, clock });
    const pinging = client.ping();
    await clock.pending(500);
    await clock.advance(500);
    const ping = await pinging;
    expect(ping.status).toBe('unreachable');
    expect((ping as { detail: string }).detail).toContain(`no answer from ${host} within 0.5 s`);
    expect(clock.timers).toEqual([]); // not retried: no backoff pending
    expect(circuit.deadHosts).toEqual([host]);

    const before = accepted;
    const other = createRegistryClient({ host, scheme: 'http', headersTimeoutMs: 500, circuit, clock });
    // The fake clock does not move: only failing at once, without a timeout, can end this.
    const second = { error: await errorOf(other.headManifest('ameide/web', 'dev')) };
    expect(second.error).toBeInstanceOf(RegistryError);
    expect((second.error as RegistryError).message).toBe(
      `HEAD manifest dev at ${host}/ameide/web failed: ${circuit.deadReason(host)!.reason}`,
    );
    expect((second.error as RegistryError).retryable).toBe(false);
    expect(accepted).toBe(before); // not even a connection
  });

  it('is per run: a new circuit (a new run) asks the host again', async () => {
    const before = accepted;
    const clock = createFakeClock();
    const client = createRegistryClient({
      host,
      scheme: 'http',
      headersTimeoutMs: 300,
      circuit: createHostCircuit(),
      clock,
    });
    const pinging = client.ping();
    await clock.pending(300);
    await clock.advance(300);
    expect((await pinging).status).toBe('unreachable');
    expect(accepted).toBe(before + 1);
  });
});
