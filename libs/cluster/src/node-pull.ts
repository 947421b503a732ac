/**
 * `verify --as-node DIR`: pull an image the way a node's containerd does, with the generated
 * certs.d. Pure halves only: the ctr argument list and the reading of its outcome; the caller
 * runs ctr through the process runner (bounded) and reports the value.
 */

export interface NodePullOptions {
  /** The certs.d directory (`--hosts-dir`). */
  hostsDir: string;
  /** containerd namespace. @default 'k8s.io' (where kubelet's images live) */
  namespace?: string;
  /** containerd socket. @default ctr's own default (/run/containerd/containerd.sock) */
  address?: string;
}

/** Arguments for `ctr`, e.g. `['-n', 'k8s.io', 'images', 'pull', '--hosts-dir', DIR, ref]`. */
export function ctrPullArgs(reference: string, opts: NodePullOptions): string[] {
  return [
    ...(opts.address ? ['--address', opts.address] : []),
    '-n',
    opts.namespace ?? 'k8s.io',
    'images',
    'pull',
    '--hosts-dir',
    opts.hostsDir,
    reference,
  ];
}

export type NodePullStatus =
  'pulled' | 'refused' | 'https-to-http' | 'untrusted' | 'unresolved' | 'not-found' | 'failed';

export interface NodePullResult {
  status: NodePullStatus;
  /** containerd's own last `ctr:` line ('' when pulled). */
  detail: string;
  /** What to change ('' when pulled). */
  hint: string;
}

const HINTS: Record<Exclude<NodePullStatus, 'pulled'>, string> = {
  refused: 'nothing listens where the mirror points: check registry.pushHost (port) and that the registry runs',
  'https-to-http': 'the registry speaks plain HTTP: set registry.insecure: true and generate again',
  untrusted:
    'the node does not trust the registry’s certificate: set registry.hosts.<host>.caFile to the CA that signed it and generate again (it is copied to certs.d/<host>/ca.crt)',
  unresolved:
    'no mirror for this host: is certs.d/<host:port>/hosts.toml there (port included), or add the /etc/hosts line',
  'not-found': 'the registry does not have it: push again (imagefleet run) and check the reference',
  failed: 'see containerd’s message',
};

/** Read ctr's exit code and stderr as one value. */
export function nodePullResult(exitCode: number | null, stderr: string): NodePullResult {
  if (exitCode === 0) return { status: 'pulled', detail: '', hint: '' };
  const detail = stderr.split('\n').findLast((l) => l.startsWith('ctr: ')) ?? stderr.trim().split('\n').at(-1) ?? '';
  const status: NodePullStatus = /connect: connection refused/.test(detail)
    ? 'refused'
    : /server gave HTTP response to HTTPS client/.test(detail)
      ? 'https-to-http'
      : /x509: |tls: failed to verify certificate/.test(detail)
        ? 'untrusted'
        : /no such host|server misbehaving/.test(detail)
          ? 'unresolved'
          : /: not found$/.test(detail)
            ? 'not-found'
            : 'failed';
  return { status, detail, hint: HINTS[status] };
}
