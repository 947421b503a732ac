import { describe, expect, test } from 'vitest';
import { findMarkers, parseMarker, rewriteMarkers, type PolicyImage } from './markers.js';

const IMAGE: PolicyImage = {
  name: 'k3d-ameide.localhost:5001/ameide/www-ameide',
  tag: 'dev-9fceb02-1700000100',
  digest: 'sha256:6129bb944cada32b4662eafd13fd9904d34c77286bf2ec4523eaedb711757cb0',
  withDigest: false,
};
const images = { 'flux-system:www-ameide': IMAGE };

describe('parseMarker', () => {
  test.each([
    [' {"$imagepolicy": "flux-system:app"}', { policy: 'flux-system:app', field: 'image' }],
    ['{"$imagepolicy":"flux-system:app:tag"}', { policy: 'flux-system:app', field: 'tag' }],
    ['  {"$imagepolicy": "ns:app:name"}  ', { policy: 'ns:app', field: 'name' }],
    [' {"$imagepolicy": "ns:app:digest"}', { policy: 'ns:app', field: 'digest' }],
    [' {"$imagepolicy": "ns:app:other"}', null],
    [' {"$imagepolicy": "app"}', null],
    [' pinned by hand', null],
    [' {"$ref": "#/definitions/x"}', null],
  ])('%j → %j', (comment, marker) => expect(parseMarker(comment)).toEqual(marker));
});

describe('rewriteMarkers: only the marked scalar changes', () => {
  test('a Deployment, a HelmRelease values block, anchors, quotes and several markers in one file', () => {
    const text = [
      '# the GitOps repo: comments stay',
      'apiVersion: apps/v1',
      'kind: Deployment',
      'spec:',
      '  template:',
      '    spec:',
      '      containers:',
      '        - name: web',
      '          image: &web k3d-ameide.localhost:5001/ameide/www-ameide:dev-0000000-1 # {"$imagepolicy": "flux-system:www-ameide"}',
      '        - name: sidecar',
      '          image: *web',
      '        - name: other',
      '          image: reg/other:1 # {"$imagepolicy": "flux-system:other"}',
      '---',
      'values:',
      '  image:',
      '    repository: old/name   # {"$imagepolicy": "flux-system:www-ameide:name"}',
      '    tag: "dev-0000000-1" # {"$imagepolicy": "flux-system:www-ameide:tag"}',
      '    digest: \'sha256:00\' # {"$imagepolicy": "flux-system:www-ameide:digest"}',
      '    pullPolicy: IfNotPresent # not a marker',
      '',
    ].join('\n');
    const result = rewriteMarkers(text, images);
    if ('error' in result) throw new Error(result.error);
    expect(result.text).toBe(
      text
        .replace('www-ameide:dev-0000000-1 #', `www-ameide:${IMAGE.tag} #`)
        .replace('old/name   #', `${IMAGE.name}   #`)
        .replace('"dev-0000000-1"', `"${IMAGE.tag}"`)
        .replace("'sha256:00'", `'${IMAGE.digest}'`),
    );
    expect(result.changes.map((c) => `${c.line} ${c.field}`)).toEqual(['9 image', '17 name', '18 tag', '19 digest']);
  });

  test('with the digest reflected, the image marker gets name:tag@digest', () => {
    const result = rewriteMarkers('image: x # {"$imagepolicy": "flux-system:www-ameide"}\n', {
      'flux-system:www-ameide': { ...IMAGE, withDigest: true },
    });
    expect(result).toMatchObject({
      text: `image: ${IMAGE.name}:${IMAGE.tag}@${IMAGE.digest} # {"$imagepolicy": "flux-system:www-ameide"}\n`,
    });
  });

  test('a marker already right, and a comment on its own line, change nothing', () => {
    const text = `a: ${IMAGE.name}:${IMAGE.tag} # {"$imagepolicy": "flux-system:www-ameide"}\nb: x\n# {"$imagepolicy": "flux-system:www-ameide"}\n`;
    expect(rewriteMarkers(text, images)).toEqual({ text, changes: [] });
  });

  test('a file that is not YAML says so', () => {
    expect(findMarkers('a: [\n')).toMatchObject({ error: expect.stringMatching(/^not valid YAML/) });
  });
});
