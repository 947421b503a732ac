import { describe, expect, test } from 'vitest';
import { bareMediaType, isIndex, isManifestMediaType, MANIFEST_ACCEPT } from './media-types.js';
import { resolveMediaType } from './manifest.js';

describe('media types', () => {
  test('the Accept header is exactly the one of REFERENCE §1', () => {
    expect(MANIFEST_ACCEPT).toBe(
      'application/vnd.oci.image.index.v1+json, application/vnd.docker.distribution.manifest.list.v2+json, application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json',
    );
  });

  test.each([
    ['application/vnd.oci.image.index.v1+json', true],
    ['application/vnd.docker.distribution.manifest.list.v2+json', true],
    ['application/vnd.docker.distribution.manifest.list.v2+json; charset=utf-8', true],
    ['application/vnd.oci.image.manifest.v1+json', false],
    ['application/vnd.docker.distribution.manifest.v2+json', false],
  ])('isIndex(%s) = %s', (type, expected) => {
    expect(isIndex(type)).toBe(expected);
    expect(isManifestMediaType(type)).toBe(true);
  });

  test('parameters are ignored', () => {
    expect(bareMediaType('Application/JSON; charset=utf-8')).toBe('application/json');
  });

  test.each([
    // header, body mediaType, expected
    [
      'application/vnd.oci.image.manifest.v1+json',
      'application/vnd.oci.image.manifest.v1+json',
      { mediaType: 'application/vnd.oci.image.manifest.v1+json' },
    ],
    [
      'application/vnd.oci.image.manifest.v1+json',
      undefined,
      { mediaType: 'application/vnd.oci.image.manifest.v1+json' },
    ],
    [
      'application/json',
      'application/vnd.docker.distribution.manifest.v2+json',
      { mediaType: 'application/vnd.docker.distribution.manifest.v2+json' },
    ],
    [
      'application/vnd.docker.distribution.manifest.v2+json',
      'application/vnd.oci.image.manifest.v1+json',
      {
        mismatch: {
          header: 'application/vnd.docker.distribution.manifest.v2+json',
          body: 'application/vnd.oci.image.manifest.v1+json',
        },
      },
    ],
  ])('Content-Type %s with body %s', (header, body, expected) => {
    expect(resolveMediaType({ schemaVersion: 2, ...(body && { mediaType: body }) }, header)).toEqual(expected);
  });
});
