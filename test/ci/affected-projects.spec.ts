/**
 * `nx affected` on the tool's own code: a change to one lib selects that lib's project and the
 * projects that use it, and nothing else — what .github/workflows/ci.yml relies on to test just
 * what a pull request touched. Read from Nx's own project graph (package.json workspaces, the
 * imports), so a dependency declared but not used, or used but not declared, shows here.
 */
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/workspace.js';

async function affectedBy(file: string): Promise<string[]> {
  const { stdout } = await execa('npx', ['nx', 'show', 'projects', '--affected', `--files=${file}`, '--json'], {
    cwd: REPO_ROOT,
    env: { NX_DAEMON: 'false', NX_NO_CLOUD: 'true' },
  });
  return (JSON.parse(stdout) as string[]).sort();
}

describe('nx affected on the tool itself', () => {
  it.each([
    // The push executor writes the review of each run.
    ['libs/review/src/index.ts', ['@imagefleet/cli', '@imagefleet/nx-plugin', '@imagefleet/review']],
    // The integration suites use gitops; the benchmarks use the suites' helpers.
    ['libs/gitops/src/pin.ts', ['@imagefleet/bench', '@imagefleet/cli', '@imagefleet/e2e', '@imagefleet/gitops']],
    [
      'libs/registry/src/digest.ts',
      [
        '@imagefleet/bench',
        '@imagefleet/cli',
        '@imagefleet/cluster',
        '@imagefleet/doctor',
        '@imagefleet/e2e',
        '@imagefleet/gitops',
        '@imagefleet/nx-plugin',
        '@imagefleet/pipeline',
        '@imagefleet/prune',
        '@imagefleet/registry',
        '@imagefleet/review',
      ],
    ],
  ])('a change to %s selects %j (and no service: images depend on their own files only)', async (file, projects) => {
    expect(await affectedBy(file)).toEqual(projects);
  });
});
