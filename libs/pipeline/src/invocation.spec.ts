import { describe, expect, it } from 'vitest';
import type { Manifest } from '@imagefleet/manifest';
import { servicesOfNxCommand } from './invocation.js';

const manifest = {
  services: [
    { name: 'base', dependsOn: [] },
    { name: 'api', dependsOn: ['base'] },
    { name: 'web', dependsOn: ['base'] },
  ],
} as unknown as Manifest;

describe('servicesOfNxCommand', () => {
  it.each([
    [['run-many', '-t', 'push'], ['base', 'api', 'web']],
    [['run-many', '-t', 'push', '--projects=api,web'], ['api', 'web']],
    [['run-many', '--target', 'push', '-p', 'web'], ['web']],
    [['run', 'api:push'], ['base', 'api']],
    [['push', 'web', '--parallel=2'], ['base', 'web']],
    [['affected', '-t', 'push'], null],
    [['run', 'nope:push'], null],
  ])('%j', (args, expected) => {
    expect(servicesOfNxCommand(args, manifest)).toEqual(expected);
  });
});
