import { describe, expect, it } from 'vitest';
import type { Manifest } from '@imagefleet/manifest';
import { parallelOfNxCommand, servicesOfNxCommand, targetsOfNxCommand } from './invocation.js';

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
    // Selections by Nx's own rules: unknown here, so nothing is settled or started ahead.
    [['run-many', '-t', 'push', '--exclude', 'web'], null],
    [['run-many', '-t', 'push', '--exclude=web'], null],
    [['run-many', '-t', 'push', '-p', 'w*'], null],
    [['run-many', '-t', 'push', '--projects=tag:imagefleet:image'], null],
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

describe('parallelOfNxCommand', () => {
  it.each([
    [['run-many', '-t', 'push'], undefined, 3],
    [['run-many', '-t', 'push'], 2, 2],
    [['run-many', '-t', 'push', '--parallel=4'], 2, 4],
    [['run-many', '-t', 'push', '--parallel', '6'], 2, 6],
    [['run-many', '-t', 'push', '--parallel'], 2, 2],
    [['run-many', '-t', 'push', '--parallel=false'], 5, 1],
  ])('%j with nx.json parallel %j', (args, configured, expected) => {
    expect(parallelOfNxCommand(args, configured)).toBe(expected);
  });
});
