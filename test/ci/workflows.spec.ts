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
  ['.gitea/workflows/images-buildctl.yml', 'actions/upload-artifact@v3'],
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

describe('.gitea/workflows/images-buildctl.yml: a runner with buildctl and BUILDKIT_HOST, no Docker daemon (seed 004)', () => {
  const read = (file: string) =>
    parse(readFileSync(join(REPO_ROOT, file), 'utf8')) as {
      jobs: Record<string, { if?: string; 'runs-on': string; env?: Record<string, string>; steps: Step[] }>;
    };
  const [job] = Object.values(read('.gitea/workflows/images-buildctl.yml').jobs);
  const [dockerJob] = Object.values(read('.gitea/workflows/images.yml').jobs);

  it('runs exactly where images.yml does not: one of the two pushes', () => {
    expect(job!.if).toBe("${{ vars.BUILDKIT_HOST != '' }}");
    expect(dockerJob!.if).toBe("${{ vars.BUILDKIT_HOST == '' }}");
    expect(job!.env?.['BUILDKIT_HOST']).toBe('${{ vars.BUILDKIT_HOST }}');
  });

  it('installs no engine and calls no docker: BuildKit is checked first, then doctor', () => {
    const runs = job!.steps.map((s) => s.run ?? '').join('\n');
    expect(runs).not.toMatch(/\bdocker\b|up\.sh|dockerd/);
    expect(job!['runs-on']).not.toBe('ubuntu-latest');
    const names = job!.steps.map((s) => s.run ?? s.uses ?? '');
    expect(names.findIndex((r) => r.includes('buildctl debug workers'))).toBeLessThan(
      names.findIndex((r) => r.includes('imagefleet -- doctor')),
    );
  });
});
