/**
 * A temp workspace for pipeline tests: `apps/<service>/Dockerfile` (+ a file) per service and the
 * normalised Manifest built in memory, pointing at a fake registry host. `remove()` in afterEach.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fluxConfig, type Manifest, type PushPolicy, type ServiceSpec } from '@imagefleet/manifest';

export interface FakeService {
  name: string;
  dependsOn?: string[];
  secrets?: string[];
  tags?: string[];
}

export interface TempWorkspace {
  root: string;
  manifest: Manifest;
  /** Where the fakes keep their own files (outside the workspace's artifacts/). */
  fakesDir: string;
  remove(): void;
}

export function tempWorkspace(services: FakeService[], push: Partial<PushPolicy> = {}): TempWorkspace {
  const root = mkdtempSync(join(tmpdir(), 'imagefleet-pipeline-'));
  const specs: ServiceSpec[] = services.map((s, i) => {
    const contextRel = `apps/${s.name}`;
    const context = join(root, contextRel);
    mkdirSync(context, { recursive: true });
    const from = s.dependsOn?.[0]
      ? `ARG ${s.dependsOn[0].toUpperCase().replace(/-/g, '_')}_IMAGE\nFROM \${${s.dependsOn[0].toUpperCase().replace(/-/g, '_')}_IMAGE}`
      : 'FROM scratch';
    writeFileSync(join(context, 'Dockerfile'), `${from}\nCOPY index.txt /\n`);
    writeFileSync(join(context, 'index.txt'), `${s.name}\n`);
    return {
      name: s.name,
      context,
      contextRel,
      dockerfile: join(context, 'Dockerfile'),
      dockerfileRel: `${contextRel}/Dockerfile`,
      secrets: s.secrets ?? [],
      buildArgs: {},
      dependsOn: s.dependsOn ?? [],
      tags: s.tags ?? ['dev'],
      addHosts: {},
      labels: {},
      line: 5 + i,
    };
  });
  const fakesDir = join(root, '.fakes');
  mkdirSync(fakesDir);
  const manifest: Manifest = {
    file: join(root, 'services.manifest.yaml'),
    root,
    registry: {
      host: 'localhost:5001',
      pushHost: 'localhost:5001',
      namespace: 'ameide',
      insecure: true,
      builderHost: 'localhost:5001',
      hosts: {},
    },
    concurrency: { push: 2, build: null },
    push: { retries: 0, stallSeconds: 60, timeoutSeconds: 120, ...push },
    builder: {
      driver: 'docker',
      docker: 'docker',
      env: {},
      buildctl: 'buildctl',
      name: null,
      endpoint: null,
      tls: null,
      create: null,
      addHosts: {},
      network: null,
    },
    retention: { keep: 5 },
    cache: { registry: null },
    overrides: [],
    cluster: { endpoint: null },
    flux: fluxConfig(null),
    summary: { keepRuns: 20 },
    services: specs,
  };
  return { root, manifest, fakesDir, remove: () => rmSync(root, { recursive: true, force: true }) };
}
