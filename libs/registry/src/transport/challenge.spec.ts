import { describe, expect, test } from 'vitest';
import { parseChallenge, scopeFor } from './challenge.js';

describe('WWW-Authenticate', () => {
  test.each([
    [
      'Bearer realm="https://auth.example.com/token",service="registry.example.com",scope="repository:team/app:pull,push"',
      {
        scheme: 'bearer',
        realm: 'https://auth.example.com/token',
        service: 'registry.example.com',
        scopes: ['repository:team/app:pull,push'],
      },
    ],
    [
      'Bearer realm="https://a/token",scope="repository:reg:5000/x:pull repository:y:push"',
      { scheme: 'bearer', realm: 'https://a/token', scopes: ['repository:reg:5000/x:pull', 'repository:y:push'] },
    ],
    [
      'bearer realm=https://a/token, service=reg',
      { scheme: 'bearer', realm: 'https://a/token', service: 'reg', scopes: [] },
    ],
    ['Basic realm="basic-realm"', { scheme: 'basic', realm: 'basic-realm' }],
    ['Basic', { scheme: 'basic' }],
    ['Bearer service="x"', { scheme: 'other', name: 'Bearer' }],
    ['Negotiate abc', { scheme: 'other', name: 'Negotiate' }],
  ])('%s', (header, expected) => {
    expect(parseChallenge(header)).toEqual(expected);
  });

  test('no header, no challenge', () => {
    expect(parseChallenge(null)).toBeUndefined();
  });

  test.each([
    ['GET', 'repository:team/app:pull'],
    ['HEAD', 'repository:team/app:pull'],
    ['PUT', 'repository:team/app:pull,push'],
    ['POST', 'repository:team/app:pull,push'],
    ['DELETE', 'repository:team/app:delete'],
  ])('%s needs %s', (method, scope) => {
    expect(scopeFor('team/app', method)).toBe(scope);
    expect(scopeFor(undefined, method)).toBeUndefined();
  });
});
