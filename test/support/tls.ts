/**
 * Self-signed certificates for tests, made by `openssl` in a temp dir: a registry over HTTPS
 * whose CA is not in the system store, as a team's internal pull registry often is.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';

export interface TestCertificate {
  /** PEM certificate (self-signed, CA:TRUE): also the CA file a client trusts. */
  certFile: string;
  /** PEM private key, unencrypted. */
  keyFile: string;
  pem: string;
  dispose(): void;
}

/**
 * A self-signed certificate valid for `127.0.0.1` and `localhost` (and `names`, `addresses`), one day long.
 * @param names extra DNS names for the subjectAltName
 * @param addresses extra IP addresses for the subjectAltName, e.g. `127.0.0.2`
 */
export async function makeSelfSignedCert(names: string[] = [], addresses: string[] = []): Promise<TestCertificate> {
  const dir = mkdtempSync(join(tmpdir(), 'imagefleet-tls-'));
  const certFile = join(dir, 'cert.pem');
  const keyFile = join(dir, 'key.pem');
  const san = [
    'IP:127.0.0.1',
    'DNS:localhost',
    ...addresses.map((a) => `IP:${a}`),
    ...names.map((n) => `DNS:${n}`),
  ].join(',');
  await execa('openssl', [
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '1',
    '-keyout',
    keyFile,
    '-out',
    certFile,
    '-subj',
    '/CN=imagefleet test registry',
    '-addext',
    `subjectAltName=${san}`,
  ]);
  return {
    certFile,
    keyFile,
    pem: readFileSync(certFile, 'utf8'),
    dispose: () => rmSync(dir, { recursive: true, force: true }),
  };
}
