import { afterEach, expect, test } from 'vitest';
import { issuesFor, lines } from '../testing/issues.js';
import { removeTrees } from '../testing/tmpdir.js';

afterEach(removeTrees);

test('every rule reports at once, top to bottom', async () => {
  const yaml = lines(
    'registry:', //                                  1
    '  host: proj_registry_1:5000', //              2
    '  namespace: Ameide', //                       3
    'defaults:', //                                 4
    '  buildArgs: {API_KEY: x}', //                 5
    'services:', //                                 6
    '  www_ameide:', //                             7
    '    tags: [v1+1]', //                          8
    '  api:', //                                    9
    '    secrets: [my-token]', //                  10
    '    dependsOn: [api, www-ameide]', //         11
  );
  expect(
    await issuesFor({ 'services.manifest.yaml': yaml, 'apps/www_ameide/Dockerfile': 'FROM scratch', 'apps/api/': '' }),
  ).toEqual([
    '2:9 registry.host: "proj_registry_1:5000" is not a valid hostname: "_" is not allowed in hostnames (Compose names like proj_registry_1 are not valid registry hosts): use a name with hyphens such as "proj-registry-1:5000"',
    '3:14 registry.namespace: repository names must be lowercase: use "ameide"',
    '5:15 defaults.buildArgs.API_KEY: build arg "API_KEY" looks like a secret: pass it as a secret, not a build arg (move it to secrets: [API_KEY]; build args are stored in the image history)',
    '7:3 services.www_ameide: image names use hyphens, not underscores: rename to "www-ameide"',
    '8:12 services.www_ameide.tags.0: tag "v1+1" is not valid: tags are 1-128 letters, digits, "_", "." and "-", not starting with "." or "-": use "v1-1"',
    '9:3 services.api.dockerfile: Dockerfile apps/api/Dockerfile does not exist: add it or set services.api.dockerfile (relative to the context)',
    '10:15 services.api.secrets.0: secret names are environment-variable names (letters, digits and "_", not starting with a digit), got "my-token": rename to "MY_TOKEN"',
    '11:17 services.api.dependsOn.0: service "api" depends on itself: remove "api" from its dependsOn',
    '11:22 services.api.dependsOn.1: "www-ameide" is not a service in this manifest: did you mean "www_ameide"?',
  ]);
});
