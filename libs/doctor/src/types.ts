/** One line of `imagefleet doctor`: what was checked, what it found, and the fix when it failed. */
export interface DoctorCheck {
  /** Short, e.g. `registry localhost:5001`, `resolve k3d-ameide.localhost`. */
  name: string;
  ok: boolean;
  /** What was found, one line. */
  detail: string;
  /** What to change ('' when ok). */
  fix: string;
}

export const pass = (name: string, detail: string): DoctorCheck => ({ name, ok: true, detail, fix: '' });
export const fail = (name: string, detail: string, fix: string): DoctorCheck => ({ name, ok: false, detail, fix });

/** `✓ name: detail` or `✗ name: detail — fix`, then a count. */
export function formatDoctor(checks: readonly DoctorCheck[]): string {
  const lines = checks.map((c) => (c.ok ? `✓ ${c.name}: ${c.detail}` : `✗ ${c.name}: ${c.detail} — ${c.fix}`));
  const bad = checks.filter((c) => !c.ok).length;
  lines.push(bad === 0 ? `${checks.length} checks: all pass` : `${checks.length} checks: ${bad} problem(s)`);
  return `${lines.join('\n')}\n`;
}
