/**
 * The layers, as lint enforces them (eslint.config.mjs, Nx's module boundaries over the project
 * graph): each import is linted as if it stood in a file of the named project, so nothing is
 * written into the tree.
 */
import { execa } from 'execa';
import { ESLint } from 'eslint';
import { beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/workspace.js';

async function lintImport(file: string, lib: string): Promise<string[]> {
  const eslint = new ESLint({ cwd: REPO_ROOT });
  const [result] = await eslint.lintText(`import * as m from '@imagefleet/${lib}';\nexport const x = m;\n`, {
    filePath: `${REPO_ROOT}/${file}`,
  });
  return (result?.messages ?? []).filter((m) => m.ruleId === '@nx/enforce-module-boundaries').map((m) => m.message);
}

describe('module boundaries', () => {
  // The rule reads Nx's cached project graph: compute it once, as `npm run lint` does.
  beforeAll(async () => {
    await execa('npx', ['nx', 'show', 'projects'], { cwd: REPO_ROOT, env: { NX_DAEMON: 'false' } });
  });

  it.each([
    ['libs/doctor/src/probe.ts', 'prune', /layer:feature.*can only depend on/],
    ['libs/registry/src/probe.ts', 'affected', /layer:domain.*can only depend on/],
    ['libs/pipeline/src/probe.ts', 'affected', /layer:pipeline.*can only depend on/],
    ['libs/manifest/src/probe.ts', 'report', /layer:core.*can only depend on/],
    // An import back up a dependency is a cycle before it is a layer.
    [
      'libs/registry/src/probe.ts',
      'pipeline',
      /Circular dependency between "@imagefleet\/registry" and "@imagefleet\/pipeline"/,
    ],
  ])('%s may not import @imagefleet/%s', async (file, lib, message) => {
    const messages = await lintImport(file, lib);
    expect(messages.join('\n')).toMatch(message);
  });

  it.each([
    ['tools/cli/src/probe.ts', 'doctor'],
    ['libs/doctor/src/probe.ts', 'pipeline'],
    ['libs/cluster/src/probe.ts', 'registry'],
    ['libs/pipeline/src/probe.ts', 'report'],
    ['libs/manifest/src/probe.ts', 'process'],
  ])('%s may import @imagefleet/%s', async (file, lib) => {
    expect(await lintImport(file, lib)).toEqual([]);
  });
});
