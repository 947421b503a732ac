import { describe, expect, test } from 'vitest';
import { fluxConfig, type ServiceSpec } from '@imagefleet/manifest';
import type { DigestPin } from '@imagefleet/pipeline';
import { checkFluxSelection } from './check.js';
import { tagScheme } from './scheme.js';

const service: ServiceSpec = {
  ...{ name: 'www', context: '', contextRel: '', dockerfile: '', dockerfileRel: '', secrets: [], buildArgs: {} },
  ...{ dependsOn: [], labels: {}, line: 1, tags: ['dev', 'dev-{shortSha}-{timestamp}'] },
};
const scheme = tagScheme(service, fluxConfig(null));
const D1 = `sha256:${'1'.repeat(64)}`;
const D2 = `sha256:${'2'.repeat(64)}`;
const pin = (version: string, digest = D2): DigestPin => ({
  ref: `r/n/www@${digest}`,
  digest,
  tags: [`r/n/www:dev`, `r/n/www:${version}`],
  version,
  revision: 'x',
  runId: 'run',
  verifiedAt: '2026-01-01T00:00:00Z',
});
const OLD = 'dev-1111111-1700000100';
const NEW = 'dev-2222222-1700000200';
const digests: Record<string, string> = { [OLD]: D1, [NEW]: D2, dev: D2 };
const check = (tags: string[], p: DigestPin | undefined, s = scheme) =>
  checkFluxSelection({ service: 'www', scheme: s, tags, pin: p, digestOf: async (t) => digests[t] ?? null });

describe('checkFluxSelection', () => {
  test('the newest verified push is what Flux selects; dev and content tags do not pass the filter', async () => {
    const tags = ['dev', 'latest', `content-${'a'.repeat(32)}`, OLD, NEW];
    expect(await check(tags, pin(NEW))).toEqual({
      status: 'ok',
      tag: NEW,
      line: `www: Flux selects "${NEW}" (${D2}), the verified push`,
    });
  });

  test.each([
    [
      'a stray newer tag',
      [OLD, NEW, 'dev-9999999-1800000000'],
      pin(NEW),
      /Flux would select "dev-9999999-1800000000", not "dev-2222222-1700000200"/,
    ],
    [
      'a dirty push does not pass the filter',
      [NEW, 'dev-3333333-dirty-1700000300'],
      pin('dev-3333333-dirty-1700000300'),
      /not "dev-3333333-dirty-1700000300" .*does not pass the filter/,
    ],
    [
      'the selected tag points at an unverified digest',
      [OLD, NEW],
      pin(NEW, D1),
      new RegExp(`"${NEW}" points at ${D2}, not ${D1}`),
    ],
    ['no push from this machine', [OLD, NEW], undefined, /no verified push with a dev-\{shortSha\}-\{timestamp\} tag/],
    ['two tags of one second', [NEW, 'dev-4444444-1700000200'], pin(NEW), /ties with/],
    [
      'nothing passes the filter',
      ['dev', 'latest'],
      pin(NEW),
      /the policy selects nothing \(version list argument cannot be empty\)/,
    ],
  ])('%s fails, naming the service and the tag', async (_, tags, p, message) => {
    const result = await check(tags, p);
    expect(result.status).toBe('failed');
    expect(result.line).toMatch(/^www: /);
    expect(result.line).toMatch(message);
  });

  test('a service without a sorting template is not followed', async () => {
    expect((await check(['dev'], pin(NEW), null)).status).toBe('unfollowed');
  });
});
