/**
 * A full disk under `artifacts/` (a 64 KiB tmpfs this test mounts, fills and unmounts), for real
 * through `nx run-many -t push`: every service says ENOSPC and the path it could not write —
 * never "another run is pushing" — and what the run did still reaches the terminal (the table,
 * then the rows as CSV, since the summary files cannot be written), with a non-zero exit.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { useRegistryWorkspace } from '../support/registry-workspace.js';
import { DOCKER } from '../support/workspace.js';

function manifest(host: string): string {
  return `registry:\n  host: ${host}\n  pushHost: ${host}\n  namespace: ameide\nbuilder:\n  docker: ${DOCKER}\nservices:\n  platform-base: {}\n  www-ameide:\n    dependsOn: [platform-base]\n`;
}

describe('artifacts on a full disk', () => {
  const setup = useRegistryWorkspace(manifest, ['platform-base', 'www-ameide']);
  const artifacts = () => join(setup.ws.dir, 'artifacts');
  let mounted = false;
  let run: Awaited<ReturnType<typeof setup.ws.nx>>;

  beforeAll(async () => {
    mkdirSync(artifacts(), { recursive: true });
    await execa('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', artifacts()]);
    mounted = true;
    // Fill it: the write that no longer fits throws ENOSPC, and the disk stays full.
    try {
      writeFileSync(join(artifacts(), 'filler'), Buffer.alloc(128 * 1024));
    } catch (error) {
      expect((error as NodeJS.ErrnoException).code).toBe('ENOSPC');
    }
    run = await setup.ws.nx(['run-many', '-t', 'push']);
  }, 300_000);

  afterAll(async () => {
    if (mounted) await execa('umount', [artifacts()]);
  });

  it('exits non-zero', () => {
    expect(run.exitCode, run.all.slice(-3000)).not.toBe(0);
  });

  it('names ENOSPC and the path for every service it could not start, and never says another run has it', () => {
    expect(run.all).toMatch(
      /\[platform-base\] failed \(artifacts\): cannot take the service's lock in artifacts\/\.imagefleet\/services\/platform-base: ENOSPC: no space left on device/,
    );
    expect(run.all).toMatch(/\[www-ameide\] skipped: not run: an image it builds FROM \(platform-base\) failed/);
    expect(run.all).not.toMatch(/another run/);
  });

  it('still prints the table, says the rows could not be written and where, and prints them', () => {
    expect(run.stdout).toMatch(/^SERVICE\s+STATUS\s+PHASE/m);
    expect(run.stdout).toMatch(/^platform-base\s+failed\s+artifacts/m);
    expect(run.stdout).toContain('2 services: 1 failed, 1 skipped');
    const said = /2 row\(s\) could not be written \((.*)\)/.exec(run.stderr)?.[1] ?? run.stderr;
    expect(said).toContain('ENOSPC');
    expect(said).toContain(join(artifacts(), 'image-build-logs'));
    expect(run.stdout).toMatch(/^run_id,service,image,status,phase,/m);
    expect(run.stdout).toMatch(/^[^,]+,www-ameide,[^,]+,skipped,,/m);
  });
});
