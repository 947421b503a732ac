import { expect, test } from 'vitest';
import { ctrPullArgs, nodePullResult } from './node-pull.js';

test('ctr arguments: namespace k8s.io by default, socket only when given', () => {
  expect(ctrPullArgs('r/x@sha256:1', { hostsDir: '/d' })).toEqual([
    '-n',
    'k8s.io',
    'images',
    'pull',
    '--hosts-dir',
    '/d',
    'r/x@sha256:1',
  ]);
  expect(ctrPullArgs('r', { hostsDir: '/d', namespace: 'n', address: '/s' })).toEqual([
    '--address',
    '/s',
    '-n',
    'n',
    'images',
    'pull',
    '--hosts-dir',
    '/d',
    'r',
  ]);
});

// The texts are containerd 1.6.20's and 2.1.9's, as the e2e recorded them.
test.each([
  [
    'Head "http://127.0.0.1:1/v2/a/manifests/sha256:x?ns=h%3A2": dial tcp 127.0.0.1:1: connect: connection refused',
    'refused',
  ],
  [
    'Head "https://127.0.0.1:2/v2/a/manifests/sha256:x?ns=h%3A2": http: server gave HTTP response to HTTPS client',
    'https-to-http',
  ],
  ['Head "https://h:2/v2/a/manifests/sha256:x": dial tcp: lookup h on 10.0.0.53:53: no such host', 'unresolved'],
  [
    'Head "https://127.0.0.2:3/v2/a/manifests/sha256:x": tls: failed to verify certificate: x509: certificate signed by unknown authority',
    'untrusted',
  ],
  ['h:2/a:dev: not found', 'not-found'],
  ['something else', 'failed'],
])('%s → %s', (tail, status) => {
  const stderr = `time="…" level=info msg="trying next host"\nctr: failed to resolve reference "h:2/a": failed to do request: ${tail}\n`;
  const result = nodePullResult(1, stderr);
  expect(result.status).toBe(status);
  expect(result.detail).toMatch(/^ctr: failed to resolve reference/);
  expect(result.hint).not.toBe('');
});

test('exit 0 is pulled', () => expect(nodePullResult(0, 'noise')).toEqual({ status: 'pulled', detail: '', hint: '' }));
