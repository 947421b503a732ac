/**
 * The whole path, real: `nx run-many -t push` on the demo services against a real Docker
 * engine and a real registry (Debian's docker-registry on loopback), checked over the
 * registry's HTTP API — not through docker.
 */
import { MANIFEST_ACCEPT } from '@imagefleet/registry';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { parse } from 'fast-csv';
import { Readable } from 'node:stream';
import { startRegistry } from '../support/registry-server.js';
import {
  demoManifest,
  dockerAvailable,
  imageInRegistry,
  makeWorkspace,
  type TestWorkspace,
} from '../support/workspace.js';

const SERVICES = [
  'platform-base',
  'agents-runtime',
  'inference-gateway',
  'workflows-runtime',
  'workflow-worker',
  'www-ameide',
  'www-ameide-platform',
];

async function parseCsv(text: string): Promise<Record<string, string>[]> {
  const rows: Record<string, string>[] = [];
  await new Promise<void>((res, rej) =>
    Readable.from([text])
      .pipe(parse({ headers: true }))
      .on('data', (r: Record<string, string>) => rows.push(r))
      .on('error', rej)
      .on('end', () => res()),
  );
  return rows;
}

describe('nx run-many -t push on the demo', () => {
  let registry: Awaited<ReturnType<typeof startRegistry>>;
  let ws: TestWorkspace;
  let run: { exitCode: number; all: string };
  const gitToken = `gat-${randomBytes(12).toString('hex')}`;
  const ghcrToken = `ghcr-${randomBytes(12).toString('hex')}`;

  beforeAll(async () => {
    if (!(await dockerAvailable())) throw new Error('no Docker engine answers: run `bash tools/dev-env/up.sh` first');
    registry = await startRegistry();
    ws = makeWorkspace({
      manifest: demoManifest({
        pushHost: registry.host,
        // A service whose build fails: the others must still push.
        extraServices: '  broken-app:\n    context: apps/broken-app\n    dependsOn: [platform-base]\n',
      }),
      dotenv: `GIT_AUTH_TOKEN=${gitToken}\nGHCR_TOKEN=${ghcrToken}\n`,
      files: {
        'apps/broken-app/Dockerfile':
          'ARG PLATFORM_BASE_IMAGE\nFROM ${PLATFORM_BASE_IMAGE}\nRUN echo "compiling" && exit 7\n',
      },
    });
    run = await ws.nx(['run-many', '-t', 'push', '--parallel=2', '--outputStyle=stream']);
  }, 600_000);

  afterAll(async () => {
    await registry?.stop();
    ws?.dispose();
  });

  it('exits non-zero because one service failed', () => {
    expect(run.exitCode, run.all.slice(-3000)).not.toBe(0);
    expect(run.all).toContain('nx run platform-base:push');
  });

  it('puts every good image in the registry, complete', async () => {
    for (const service of SERVICES) {
      // One manifest (dockerd 20.10), or an index with the image and its attestation (Docker 28).
      const image = await imageInRegistry(registry.host, `ameide/${service}`, 'dev').catch((e: Error) => {
        throw new Error(`${service}: ${e.message}\n${run.all.slice(-2000)}`);
      });
      for (const manifest of image.manifests) {
        for (const blob of [manifest.config, ...manifest.layers]) {
          const head = await fetch(`http://${registry.host}/v2/ameide/${service}/blobs/${blob.digest}`, {
            method: 'HEAD',
          });
          expect(head.status, `${service} ${manifest.platform} ${blob.digest}`).toBe(200);
        }
      }
    }
    const broken = await fetch(`http://${registry.host}/v2/ameide/broken-app/manifests/dev`, {
      headers: { Accept: MANIFEST_ACCEPT },
    });
    expect(broken.status).toBe(404);
  });

  it('writes one log per service and one truthful CSV row per service', async () => {
    const logs = join(ws.dir, 'artifacts', 'image-build-logs');
    for (const service of [...SERVICES, 'broken-app'])
      expect(existsSync(join(logs, `${service}_dev.log`)), service).toBe(true);
    const rows = await parseCsv(readFileSync(join(logs, 'build-summary-dev.csv'), 'utf8'));
    expect(rows.map((r) => r['service']).sort()).toEqual([...SERVICES, 'broken-app'].sort());
    for (const row of rows.filter((r) => r['service'] !== 'broken-app')) {
      expect(row['status'], JSON.stringify(row)).toBe('pushed');
      expect(row['verify']).toBe('verified');
      const head = await fetch(`http://${registry.host}/v2/ameide/${row['service']}/manifests/dev`, {
        method: 'HEAD',
        headers: { Accept: MANIFEST_ACCEPT },
      });
      expect(row['digest']).toBe(head.headers.get('docker-content-digest'));
      expect(row['image']).toBe(`${registry.host}/ameide/${row['service']}:dev`);
      expect(Number(row['build_seconds'])).toBeGreaterThan(0);
    }
    const broken = rows.find((r) => r['service'] === 'broken-app')!;
    expect(broken['status']).toBe('failed');
    expect(broken['phase']).toBe('build');
    expect(broken['error']).toMatch(/exit code: 7|exited with 7|code: 7|7/);
    expect(readFileSync(join(logs, 'broken-app_dev.log'), 'utf8')).toContain('compiling');
  });

  it('never leaks a secret into logs, summaries or image layers', async () => {
    const logs = join(ws.dir, 'artifacts', 'image-build-logs');
    const agentsLog = readFileSync(join(logs, 'agents-runtime_dev.log'), 'utf8');
    expect(agentsLog).toMatch(/token present|GIT_AUTH_TOKEN/); // the secret step really ran
    // The run history too (runs/<run-id>.json|csv), and the timeline and trend pages.
    for (const file of readdirSync(logs, { recursive: true, encoding: 'utf8' })) {
      if (file.startsWith('.') || statSync(join(logs, file)).isDirectory()) continue;
      const text = readFileSync(join(logs, file), 'utf8');
      expect(text, file).not.toContain(gitToken);
      expect(text, file).not.toContain(ghcrToken);
    }
    expect(run.all).not.toContain(gitToken);
    for (const service of ['agents-runtime', 'www-ameide-platform']) {
      // Every blob, the attestation's (build provenance) too: layers gzipped, the rest as they are.
      for (const manifest of (await imageInRegistry(registry.host, `ameide/${service}`, 'dev')).manifests) {
        for (const blob of [manifest.config, ...manifest.layers]) {
          const body = Buffer.from(
            await (await fetch(`http://${registry.host}/v2/ameide/${service}/blobs/${blob.digest}`)).arrayBuffer(),
          );
          let content = body;
          try {
            content = gunzipSync(body);
          } catch {
            // not gzipped: the config, or an attestation statement
          }
          expect(content.includes(gitToken), `${service} ${blob.digest}`).toBe(false);
          expect(content.includes(ghcrToken), `${service} ${blob.digest}`).toBe(false);
        }
      }
    }
  });
});
