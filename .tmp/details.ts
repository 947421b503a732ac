import { createRegistryClient } from '../libs/registry/src/index.js';
import { startRegistry, freePort } from '../test/support/registry-server.js';
import { startTokenServer } from '../test/support/token-server.js';
const r = await startRegistry({ htpasswd: { user: 'alice', password: 'pw-123' } });
const plain = await startRegistry();
const t = await startTokenServer({ upstream: plain.host, users: { bob: 'pw' } });
try {
  const env = { DOCKER_CONFIG: '/tmp/nonexistent-dc', PATH: process.env.PATH };
  console.log((await createRegistryClient({ host: r.host, env }).verify('team/app', 'v1')).detail);
  console.log((await createRegistryClient({ host: r.host, env, credentials: { username: 'alice', password: 'bad' } }).verify('team/app', 'v1')).detail);
  console.log(await createRegistryClient({ host: r.host, env }).ping());
  console.log((await createRegistryClient({ host: t.host, env }).verify('team/app', 'v1')).detail);
  console.log((await createRegistryClient({ host: t.host, env, credentials: { username: 'bob', password: 'bad' } }).verify('team/app', 'v1')).detail);
  console.log(await createRegistryClient({ host: plain.host, scheme: 'https' }).ping());
  console.log(await createRegistryClient({ host: `127.0.0.1:${await freePort()}` }).ping());
  console.log(await createRegistryClient({ host: `nope.invalid` }).ping());
  console.log((await createRegistryClient({ host: plain.host }).verify('team/app', 'v1')).detail);
} finally { await t.stop(); await r.stop(); await plain.stop(); }
process.exit(0);
