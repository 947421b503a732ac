/**
 * The CI workflows, read as the runners read them: GitHub Actions (.github) and Gitea Actions
 * (.gitea, which Gitea runs instead when it exists). Gitea up to 1.25 stops
 * actions/upload-artifact@v4 with GHESNotSupportedError, and Gitea before 1.27 shows no job
 * summary: there the table must reach the log.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { REPO_ROOT } from '../support/workspace.js';

interface Step {
  name?: string;
  uses?: string;
  run?: string;
  if?: string;
}
const steps = (file: string): Step[] => {
  const wf = parse(readFileSync(join(REPO_ROOT, file), 'utf8')) as { jobs: Record<string, { steps: Step[] }> };
  return Object.values(wf.jobs).flatMap((j) => j.steps);
};

describe.each([
  ['.github/workflows/images.yml', 'actions/upload-artifact@v4'],
  ['.gitea/workflows/images.yml', 'actions/upload-artifact@v3'],
])('%s', (file, upload) => {
  it(`uploads the logs with ${upload} even when the push failed`, () => {
    const step = steps(file).find((s) => s.uses?.startsWith('actions/upload-artifact'));
    expect(step?.uses).toBe(upload);
    expect(step?.if).toBe('always()');
  });

  it('prints the Markdown summary to the log, and to the job summary only where there is one', () => {
    const step = steps(file).find((s) => s.run?.includes('build-summary-dev.md'));
    expect(step?.if).toBe('always()');
    expect(step?.run).toMatch(/^\s*cat "\$f"\s*$/m);
    expect(step?.run).toContain('[ -z "${GITHUB_STEP_SUMMARY:-}" ] ||');
  });

  it('pushes exactly what the change touches, through the batch executor', () => {
    expect(steps(file).some((s) => s.run?.includes('imagefleet -- run push --affected --base'))).toBe(true);
  });
});
