/**
 * tools/cli/bin/imagefleet-task.sh, the client side of the task server's protocol, against a
 * small server that speaks it: the request line carries the token from the info file, the
 * task's lines are relayed in order, the exit code is the server's, Ctrl-C becomes `abort`, a
 * settled service never connects, and an unreachable server falls back to the CLI.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createServer, type Server, type Socket } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { execa } from 'execa';
import { EXIT_MARK } from './task-server.js';

const SCRIPT = resolve(import.meta.dirname, '..', 'bin', 'imagefleet-task.sh');
const TOKEN = 'f'.repeat(32);

interface Fake {
  server: Server;
  requests: string[];
  infoFile: string;
}

let dir = '';
let fake: Fake | undefined;
afterEach(() => {
  fake?.server.close();
  fake = undefined;
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function startFake(onRequest: (socket: Socket, line: string) => void): Promise<Fake> {
  dir = mkdtempSync(join(tmpdir(), 'imagefleet-task-client-'));
  const requests: string[] = [];
  const server = createServer((socket) => {
    socket.setEncoding('utf8');
    let pending = '';
    socket.on('data', (chunk: string) => {
      pending += chunk;
      for (let i = pending.indexOf('\n'); i >= 0; i = pending.indexOf('\n')) {
        const line = pending.slice(0, i);
        pending = pending.slice(i + 1);
        requests.push(line);
        onRequest(socket, line);
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  const infoFile = join(dir, 'run.info');
  writeFileSync(infoFile, `${port} ${TOKEN} 1\n`);
  return (fake = { server, requests, infoFile });
}

const client = (args: string[], env: Record<string, string>) =>
  execa('bash', [SCRIPT, ...args], { reject: false, env: { IMAGEFLEET_SETTLED_WEB: '', ...env }, cwd: dir || tmpdir() });

describe('imagefleet-task.sh', () => {
  it('sends the token and the task, relays the lines, exits with the server code', async () => {
    const f = await startFake((socket, line) => {
      if (line.startsWith(TOKEN)) socket.end(`[web] build started\n[web] push done\n${EXIT_MARK}7\n`);
    });
    const r = await client(['push', 'web', '--manifest', 'services.manifest.yaml'], { IMAGEFLEET_TASK_SERVER: f.infoFile });
    expect(f.requests[0]).toBe(`${TOKEN} push web`);
    expect(r.stdout).toBe('[web] build started\n[web] push done');
    expect(r.exitCode).toBe(7);
  });

  it('passes SIGTERM on as abort and still waits for the task to end', async () => {
    const f = await startFake((socket, line) => {
      if (line === 'abort') setTimeout(() => socket.end(`[web] interrupted\n${EXIT_MARK}130\n`), 100);
      else socket.write('[web] build started\n');
    });
    const child = client(['push', 'web'], { IMAGEFLEET_TASK_SERVER: f.infoFile });
    const deadline = Date.now() + 5000;
    while (f.requests.length < 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    await new Promise((r) => setTimeout(r, 200));
    child.kill('SIGTERM');
    const r = await child;
    expect(f.requests).toEqual([`${TOKEN} push web`, 'abort']);
    expect(r.stdout).toContain('[web] interrupted');
    expect(r.exitCode).toBe(130);
  });

  it('a settled service ends at once, without connecting', async () => {
    const f = await startFake(() => undefined);
    const r = await client(['push', 'web'], { IMAGEFLEET_TASK_SERVER: f.infoFile, IMAGEFLEET_SETTLED_WEB_API: 'sha256:aa', IMAGEFLEET_SETTLED_WEB: 'sha256:bb' });
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toBe('web: unchanged, verified sha256:bb (settled before the tasks started: nothing to build or push)');
    expect(f.requests).toEqual([]);
  });

  it('a server that closes without an answer fails the task', async () => {
    const f = await startFake((socket) => socket.end());
    const r = await client(['push', 'web'], { IMAGEFLEET_TASK_SERVER: f.infoFile });
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain('closed the connection before web finished');
  });

  it('no server listening: the CLI runs the task itself', async () => {
    const f = await startFake(() => undefined);
    await new Promise<void>((r) => f.server.close(() => r()));
    const r = await client(['push', 'web', '--manifest', join(dir, 'missing.yaml')], { IMAGEFLEET_TASK_SERVER: f.infoFile });
    expect(f.requests).toEqual([]);
    expect(r.exitCode).not.toBe(0);
    expect(r.stderr).toContain('missing.yaml'); // the CLI's own error about its manifest
  });
});
