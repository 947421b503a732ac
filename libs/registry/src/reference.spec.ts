import { describe, expect, test } from 'vitest';
import { formatReference, InvalidReferenceError, parseReference } from './reference.js';

const HEX = 'a'.repeat(64);

describe('parseReference', () => {
  // The valid column of REFERENCE §6, plus normalisation.
  test.each([
    ['localhost:5000/my_app:v1', { registry: 'localhost:5000', repository: 'my_app', tag: 'v1' }],
    ['my__app', { registry: 'docker.io', repository: 'library/my__app' }],
    ['my--app', { registry: 'docker.io', repository: 'library/my--app' }],
    ['a.b', { registry: 'docker.io', repository: 'library/a.b' }],
    ['app:V1_2.3-rc', { registry: 'docker.io', repository: 'library/app', tag: 'V1_2.3-rc' }],
    [
      'k3d-registry.localhost:5000/team/svc:dev',
      { registry: 'k3d-registry.localhost:5000', repository: 'team/svc', tag: 'dev' },
    ],
    ['registry/app', { registry: 'docker.io', repository: 'registry/app' }],
    ['registry:5000/app', { registry: 'registry:5000', repository: 'app' }],
    ['localhost/app', { registry: 'localhost', repository: 'app' }],
    ['Registry/app', { registry: 'Registry', repository: 'app' }],
    ['[::1]:5000/app:t', { registry: '[::1]:5000', repository: 'app', tag: 't' }],
    [`ghcr.io/org/app@sha256:${HEX}`, { registry: 'ghcr.io', repository: 'org/app', digest: `sha256:${HEX}` }],
    [
      `ghcr.io/org/app:v2@sha256:${HEX}`,
      { registry: 'ghcr.io', repository: 'org/app', tag: 'v2', digest: `sha256:${HEX}` },
    ],
    [`app:${'t'.repeat(128)}`, { registry: 'docker.io', repository: 'library/app', tag: 't'.repeat(128) }],
  ])('%s is valid', (input, expected) => {
    expect(parseReference(input)).toEqual(expected);
  });

  // The invalid column of REFERENCE §6, each with the words its message must contain.
  test.each([
    ['my___app', /path component "my___app" is invalid/],
    ['_app', /path component "_app" is invalid/],
    ['app_', /path component "app_" is invalid/],
    ['a..b', /path component "a\.\.b" is invalid/],
    ['My-App', /repository name must be lowercase: "My-App"/],
    ['localhost:5000/Team/app', /repository name must be lowercase: "Team\/app"/],
    ['app:.bad', /tag must start with a letter, digit or "_": ".bad"/],
    ['app:1.0.0+build', /tag contains "\+", which is not allowed/],
    [`app:${'t'.repeat(129)}`, /tag must be at most 128 characters, got 129/],
    ['registry_1.local:5000/x', /registry host must not contain "_": "registry_1\.local:5000"/],
    ['reg.local:50a0/x', /registry port must be digits/],
    ['-reg.local/x', /not a valid hostname/],
    ['', /reference is empty/],
    ['app name', /whitespace/],
    ['app:', /tag is empty/],
    ['team//app', /empty component/],
    ['app@sha256:abc', /digest must look like/],
    [`app@sha256:${'A'.repeat(64)}`, /sha256 digest must be 64 lowercase hex/],
    [`app@md5:${'a'.repeat(32)}`, /algorithm "md5" is not supported/],
    [`registry.example.com/${'a'.repeat(240)}`, /must not be more than 255 characters/],
  ])('%s is invalid', (input, message) => {
    let error: unknown;
    try {
      parseReference(input);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(InvalidReferenceError);
    expect((error as InvalidReferenceError).reason).toMatch(message);
    expect((error as InvalidReferenceError).reference).toBe(input);
  });

  test('the message repeats the whole reference', () => {
    expect(() => parseReference('ghcr.io/My-Org/App:v1')).toThrow(
      'invalid image reference "ghcr.io/My-Org/App:v1": repository name must be lowercase: "My-Org/App"',
    );
  });

  test('formatReference round-trips', () => {
    const input = `localhost:5000/team/app:v1@sha256:${HEX}`;
    expect(formatReference(parseReference(input))).toBe(input);
  });
});
