/**
 * A temp workspace for pipeline tests: `apps/<service>/Dockerfile` (+ a file) per service and the
 * normalised Manifest built in memory, pointing at a fake registry host. `remove()` in afterEach.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Manifest, PushPolicy, ServiceSpec } from '@imagefleet/manifest';
import { testManifest } from '@imagefleet/manifest/testing';

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
  const manifest = testManifest({
    file: join(root, 'services.manifest.yaml'),
    root,
    registry: {
      host: 'localhost:5001',
      pushHost: 'localhost:5001',
      builderHost: 'localhost:5001',
      namespace: 'ameide',
    },
    push: { retries: 0, stallSeconds: 60, timeoutSeconds: 120, ...push },
    services: specs,
  });
  return { root, manifest, fakesDir, remove: () => rmSync(root, { recursive: true, force: true }) };
}
