import { expect, test } from 'vitest';
import { formatIssue, ManifestError } from './errors.js';

const issue = {
  file: 'services.manifest.yaml',
  line: 14,
  column: 3,
  path: 'services.www_ameide',
  message: 'image names use hyphens, not underscores: rename to "www-ameide"',
};

test('formatIssue: file:line:col path: message', () => {
  expect(formatIssue(issue)).toBe(
    'services.manifest.yaml:14:3 services.www_ameide: image names use hyphens, not underscores: rename to "www-ameide"',
  );
});

test('formatIssue leaves out an empty path', () => {
  expect(formatIssue({ ...issue, line: 1, column: 1, path: '', message: 'the manifest is empty' })).toBe(
    'services.manifest.yaml:1:1 the manifest is empty',
  );
});

test('ManifestError: one line per issue, issues kept', () => {
  const error = new ManifestError([issue, { ...issue, line: 20, path: 'registry.host', message: 'bad' }]);
  expect(error.name).toBe('ManifestError');
  expect(error.message.split('\n')).toEqual([formatIssue(issue), 'services.manifest.yaml:20:3 registry.host: bad']);
  expect(error.issues).toHaveLength(2);
});
