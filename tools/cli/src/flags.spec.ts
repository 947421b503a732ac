import { describe, expect, it } from 'vitest';
import { parseCommandLine } from './flags.js';

describe('parseCommandLine: each command takes its own flags', () => {
  it.each([
    [
      ['verify', '--projects', 'www-ameide'],
      'verify does not take --projects (it takes --manifest, --as-node, --containerd, --namespace, --json)',
    ],
    [['preflight', '--as-node', 'dir'], 'preflight does not take --as-node (it takes --manifest)'],
    [['verify', '--dry-run'], 'verify does not take --dry-run'],
    [['doctor', '--values', 'x.yaml'], 'doctor does not take --values'],
    [['prune', '--jobs', '2'], 'prune does not take --jobs'],
    [['prune', '--jobs=2'], 'prune does not take --jobs'],
    [['run', 'push', '--base', 'main'], 'run: --base goes with --affected'],
    [['plan', '--head', 'HEAD'], 'plan: --head goes with --affected'],
    [['summary', 'extra'], 'summary takes no arguments, got "extra"'],
    [['run'], 'run takes exactly one target, got 0'],
    [['run', 'push', 'image'], 'run takes exactly one target, got 2'],
    [['doctor', '--containerd', '/run/c.sock'], 'doctor: --containerd and --namespace go with --as-node DIR'],
    [['prune', '--path', 'image.ref'], 'prune: --path goes with --values FILE'],
    [['deploy'], 'unknown command "deploy"'],
    [['run', 'push', '--jobs'], "run: Option '--jobs <value>' argument missing"],
  ])('%j is refused with one line', (argv, message) => {
    expect(() => parseCommandLine(argv)).toThrow(message);
  });

  it.each([
    [['verify', 'a', 'b', '--json'], 'verify', { json: true }, ['a', 'b']],
    [['--manifest', 'm.yaml', 'doctor', '--as-node', 'dir'], 'doctor', { manifest: 'm.yaml', 'as-node': 'dir' }, []],
    [['run', 'push', '--affected', '--base', 'HEAD~1', '--jobs', '4'], 'run', { base: 'HEAD~1', jobs: '4' }, ['push']],
    [['prune', '--dry-run', '--values', 'v.yaml', '--path', 'image.ref'], 'prune', { 'dry-run': true }, []],
    [['pin', '--values', 'v.yaml', '--projects', 'a'], 'pin', { projects: 'a' }, []],
  ])('%j is accepted', (argv, command, values, positionals) => {
    const parsed = parseCommandLine(argv);
    expect(parsed.command).toBe(command);
    expect(parsed.values).toMatchObject(values);
    expect(parsed.positionals).toEqual(positionals);
  });

  it('no command, or --help alone, is the usage', () => {
    expect(parseCommandLine([]).command).toBeUndefined();
    expect(parseCommandLine(['--help']).values['help']).toBe(true);
  });
});
