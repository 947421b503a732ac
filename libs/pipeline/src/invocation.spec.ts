import { describe, expect, it } from 'vitest';
import type { Manifest } from '@imagefleet/manifest';
import { servicesOfNxCommand, targetsOfNxCommand } from './invocation.js';

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
    [['run-many', '-t', 'push', '--projects=api,web'], ['base', 'api', 'web']],
    [['run-many', '-t', 'push', '--projects=api,web', '--excludeTaskDependencies'], ['api', 'web']],
    [['run-many', '--target', 'push', '-p', 'web'], ['base', 'web']],
    [['run', 'api:push'], ['base', 'api']],
    [['push', 'web', '--parallel=2'], ['base', 'web']],
    [['affected', '-t', 'push'], null],
    [['run', 'nope:push'], null],
  ])('%j', (args, expected) => {
    expect(servicesOfNxCommand(args, manifest)).toEqual(expected);
  });
});

describe('targetsOfNxCommand', () => {
  it.each([
    [['run-many', '-t', 'push'], ['push']],
    [['run-many', '-t', 'image', 'push', '--parallel=4'], ['image', 'push']],
    [['run-many', '--targets=image,push'], ['image', 'push']],
    [['affected', '--target', 'verify', '--base=main'], ['verify']],
    [['run', 'api:push:production'], ['push']],
    [['push', 'web'], ['push']],
    [['show', 'projects'], ['show']],
  ])('%j', (args, expected) => {
    expect(targetsOfNxCommand(args)).toEqual(expected);
  });
});
