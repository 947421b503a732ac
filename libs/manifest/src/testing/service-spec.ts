import type { ServiceSpec } from '../types.js';

/** A normalised service entry for tests: `apps/<name>` under `/w`, defaults everywhere else. */
export function serviceSpec(name: string, overrides: Partial<ServiceSpec> = {}): ServiceSpec {
  return {
    name,
    context: `/w/apps/${name}`,
    contextRel: `apps/${name}`,
    dockerfile: `/w/apps/${name}/Dockerfile`,
    dockerfileRel: `apps/${name}/Dockerfile`,
    secrets: [],
    buildArgs: {},
    dependsOn: [],
    tags: ['dev'],
    labels: {},
    line: 1,
    ...overrides,
  };
}
