import { describe, expect, test } from 'vitest';
import { hostname, isLoopbackHost, schemeFor } from './scheme.js';

describe('scheme', () => {
  test.each([
    ['localhost:5000', false, 'http'],
    ['localhost', false, 'http'],
    ['127.0.0.1:5000', false, 'http'],
    ['127.10.20.30', false, 'http'],
    ['[::1]:5000', false, 'http'],
    ['registry.example.com', false, 'https'],
    ['k3d-ameide.localhost:5001', false, 'https'],
    ['128.0.0.1:5000', false, 'https'],
    ['127.0.0.256', false, 'https'],
    ['registry.example.com:5000', true, 'http'],
  ] as const)('%s (insecure: %s) → %s', (host, insecure, expected) => {
    expect(schemeFor(host, insecure)).toBe(expected);
  });

  test('an override wins', () => {
    expect(schemeFor('localhost:5000', false, 'https')).toBe('https');
  });

  test.each([
    ['[::1]:5000', '::1'],
    ['reg:5000', 'reg'],
    ['::1', '::1'],
  ])('hostname(%s) = %s', (host, name) => {
    expect(hostname(host)).toBe(name);
    expect(isLoopbackHost('[::1]')).toBe(true);
  });
});
