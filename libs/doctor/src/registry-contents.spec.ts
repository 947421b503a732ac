import { describe, expect, it } from 'vitest';
import { staleContentTags, underscoreRepositories } from './registry-contents.js';

describe('underscoreRepositories (seed failure mode 6)', () => {
  it('reports ameide/www_ameide, not other namespaces', () => {
    expect(underscoreRepositories(['ameide/www-ameide', 'other/x_y'], 'ameide')).toMatchObject({ ok: true });
    const check = underscoreRepositories(['ameide/www-ameide', 'ameide/www_ameide', 'other/x_y'], 'ameide');
    expect(check).toMatchObject({
      name: 'repository names',
      ok: false,
      detail: '1 repository(ies) with "_" under ameide/: ameide/www_ameide (now ameide/www-ameide)',
    });
    expect(check.fix).toMatch(/hyphens/);
  });
});

describe('staleContentTags', () => {
  const tags = (n: number) => ['dev', ...Array.from({ length: n }, (_, i) => `content-${i}`)];
  it('at most retention.keep per service passes; more names each service and prune', () => {
    expect(
      staleContentTags(
        new Map([
          ['a', tags(5)],
          ['b', []],
        ]),
        5,
      ).ok,
    ).toBe(true);
    expect(
      staleContentTags(
        new Map([
          ['a', tags(7)],
          ['b', tags(2)],
          ['c', tags(6)],
        ]),
        5,
      ),
    ).toEqual({
      name: 'content tags',
      ok: false,
      detail: 'a 7, c 6 content-* tags (retention.keep: 5)',
      fix: 'imagefleet prune (--dry-run lists what would go)',
    });
  });
});
