import { afterEach, expect, test } from 'vitest';
import { issuesFor, lines, REGISTRY } from '../testing/issues.js';
import { removeTrees } from '../testing/tmpdir.js';
import { endpointMessage } from './builder.js';

afterEach(removeTrees);

const APP = { 'apps/web/Dockerfile': 'FROM scratch' };

test.each([
  ['endpoint', '  endpoint: ssh://ci@build-host'],
  ['name', '  name: ameide-k8s'],
])('builder.%s with the docker driver is refused, not silently ignored', async (field, line) => {
  const yaml = lines(...REGISTRY, 'builder:', '  driver: docker', line, 'services:', '  web:');
  expect(await issuesFor({ 'services.manifest.yaml': yaml, ...APP })).toEqual([
    `6:${field === 'name' ? 9 : 13} builder.${field}: builder.${field} is for driver buildx or buildctl; the docker driver builds with this machine's engine (DOCKER_HOST): set builder.driver: buildctl (a BuildKit address) or buildx (a named builder), or remove builder.${field}`,
  ]);
});

test('a TLS file that is not there names the field and the path', async () => {
  const yaml = lines(
    ...REGISTRY,
    'builder:',
    '  driver: buildctl',
    '  endpoint: tcp://buildkitd:1234',
    '  tls:',
    '    caFile: certs/ca.pem',
    'services:',
    '  web:',
  );
  const [issue] = await issuesFor({ 'services.manifest.yaml': yaml, ...APP });
  expect(issue).toMatch(/^8:13 builder\.tls\.caFile: \/.*\/certs\/ca\.pem does not exist: fix builder\.tls\.caFile$/);
});

test('addHosts maps names to IP addresses', async () => {
  const yaml = lines(...REGISTRY, 'services:', '  web:', '    addHosts: {go.dev.ameide.io: localhost}');
  expect(await issuesFor({ 'services.manifest.yaml': yaml, ...APP })).toEqual([
    '6:34 services.web.addHosts.go.dev.ameide.io: go.dev.ameide.io: "localhost" is not an IP address (addHosts maps a name to an IP)',
  ]);
});

test('the docker driver says it has no registry cache rather than ignoring it', async () => {
  const yaml = lines(...REGISTRY, 'cache:', '  registry: true', 'services:', '  web:');
  const [issue] = await issuesFor({ 'services.manifest.yaml': yaml, ...APP });
  expect(issue).toMatch(/^5:13 cache\.registry: the docker driver .* cannot export a registry cache/);
});

test.each([
  ['buildctl', 'tcp://buildkitd:1234', null],
  ['buildctl', 'unix:///run/buildkit/buildkitd.sock', null],
  ['buildctl', 'kube-pod://buildkitd-0', null],
  [
    'buildctl',
    'tcp://buildkitd',
    '"tcp://buildkitd" needs a host and a port: tcp://host:port (BuildKit has no default port)',
  ],
  ['buildctl', 'buildkitd:1234', '"buildkitd:1234": buildkitd:// is not a scheme buildctl knows'],
  ['buildctl', 'garbage', '"garbage" is not an address: use tcp://host:port or unix:///path/to/buildkitd.sock'],
  ['buildctl', 'http://buildkitd:1234', '"http://buildkitd:1234": http:// is not a scheme buildctl knows'],
  ['buildx', 'builder-ctx', null],
  ['buildx', 'ssh://ci@build-host', null],
  ['buildx', 'not a context!', 'is neither a docker context name nor a DOCKER_HOST value'],
  ['buildx', 'kube-pod://x', 'kube-pod:// is not a scheme DOCKER_HOST knows'],
] as const)('%s endpoint %s', (driver, endpoint, message) => {
  const got = endpointMessage(driver, endpoint);
  if (message === null) expect(got).toBeNull();
  else expect(got).toContain(message);
});
