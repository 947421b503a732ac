import { describe, expect, it } from 'vitest';
import type { Manifest } from '@imagefleet/manifest';
import { serviceSpec } from '@imagefleet/manifest/testing';
import { affectedServices } from './affected.js';

const svc = (name: string, dependsOn: string[] = []) => serviceSpec(name, { dependsOn });

const manifest = {
  services: [svc('base'), svc('api', ['base']), svc('web', ['base']), svc('worker', ['api'])],
} as unknown as Manifest;

const text = (apiArgs: string, registry = 'r:5000') =>
  `registry:\n  host: ${registry}\n  namespace: n\nservices:\n  base: {}\n  api:\n    dependsOn: [base]\n    buildArgs: {A: "${apiArgs}"}\n  web:\n    dependsOn: [base]\n  worker:\n    dependsOn: [api]\n`;

describe('affectedServices', () => {
  it.each([
    ['a file of a leaf', ['apps/web/index.html'], ['web']],
    ['a file of a service others build FROM', ['apps/api/src/x.sh'], ['api', 'worker']],
    ['the base', ['apps/base/Dockerfile'], ['base', 'api', 'web', 'worker']],
    ['a file of no service', ['README.md', 'apps/webby/x'], []],
  ])('%s', (_name, files, expected) => {
    expect(affectedServices(manifest, files, { before: text('1'), now: text('1') }).map((a) => a.service)).toEqual(
      expected,
    );
  });

  it('one entry of the manifest: that service and what builds FROM it', () => {
    const got = affectedServices(manifest, ['services.manifest.yaml'], { before: text('1'), now: text('2') });
    expect(got).toEqual([
      { service: 'api', reason: 'services.api changed in services.manifest.yaml' },
      { service: 'worker', reason: 'builds FROM api' },
    ]);
  });

  it('a shared section: every service', () => {
    const got = affectedServices(manifest, ['services.manifest.yaml'], {
      before: text('1'),
      now: text('1', 'other:5000'),
    });
    expect(got.map((a) => a.service)).toEqual(['base', 'api', 'web', 'worker']);
    expect(got[0]!.reason).toContain('registry');
  });

  it('a manifest touched without changing any entry: nothing', () => {
    expect(
      affectedServices(manifest, ['services.manifest.yaml'], { before: text('1'), now: `# comment\n${text('1')}` }),
    ).toEqual([]);
  });

  it('a service new in the manifest', () => {
    expect(
      affectedServices(manifest, ['services.manifest.yaml'], { before: '', now: text('1') }).map((a) => a.service),
    ).toEqual(['base', 'api', 'web', 'worker']);
  });
});
