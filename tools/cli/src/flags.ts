/**
 * Which flags each command takes, and the one parser that holds a command line to them: a flag
 * of another command is refused (naming it and the command) instead of being accepted and
 * ignored (`verify --projects a` used to verify every service).
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from './usage-error.js';

type Options = NonNullable<ParseArgsConfig['options']>;

const JSON_FLAG = { json: { type: 'boolean', default: false } } as const;
const AS_NODE = {
  'as-node': { type: 'string' },
  containerd: { type: 'string' },
  namespace: { type: 'string' },
} as const;
const SELECTION = {
  affected: { type: 'boolean', default: false },
  base: { type: 'string' },
  head: { type: 'string' },
  projects: { type: 'string' },
} as const;

/** Every command: its flags and its positional arguments. */
export const COMMANDS = {
  run: { options: { ...SELECTION, jobs: { type: 'string' } }, positionals: 'one target' },
  plan: { options: { ...SELECTION, ...JSON_FLAG }, positionals: 'none' },
  verify: { options: { ...AS_NODE, ...JSON_FLAG }, positionals: 'services' },
  preflight: { options: {}, positionals: 'none' },
  doctor: { options: { ...AS_NODE, ...JSON_FLAG }, positionals: 'none' },
  'cluster-config': {
    options: {
      for: { type: 'string' },
      out: { type: 'string' },
      workers: { type: 'string' },
      'with-credentials': { type: 'boolean', default: false },
    },
    positionals: 'none',
  },
  summary: {
    options: {
      ...JSON_FLAG,
      runs: { type: 'boolean', default: false },
      against: { type: 'string' },
      'fail-on': { type: 'string' },
      open: { type: 'boolean', default: false },
    },
    positionals: 'none',
  },
  // One subcommand: ensure.
  builder: { options: {}, positionals: 'one target' },
  pin: {
    options: {
      values: { type: 'string' },
      path: { type: 'string' },
      digest: { type: 'boolean', default: false },
      projects: { type: 'string' },
    },
    positionals: 'none',
  },
  // `flux --out DIR` or `flux check` (fluxCommand checks which).
  flux: { options: { out: { type: 'string' }, ...JSON_FLAG }, positionals: 'services' },
  prune: {
    options: {
      'dry-run': { type: 'boolean', default: false },
      values: { type: 'string' },
      path: { type: 'string' },
      projects: { type: 'string' },
    },
    positionals: 'none',
  },
} as const satisfies Record<string, { options: Options; positionals: 'none' | 'one target' | 'services' }>;

export type CommandName = keyof typeof COMMANDS;

const GLOBAL = { manifest: { type: 'string' }, help: { type: 'boolean', short: 'h', default: false } } as const;

export interface CommandLine {
  /** Undefined for a bare `imagefleet` or `imagefleet --help`. */
  command: CommandName | undefined;
  /** Flags by name, as parsed with the command's own table: a string or a boolean. */
  values: Record<string, string | boolean | undefined>;
  positionals: string[];
}

/** The command is the first argument that is not `--manifest FILE` or `--help`. */
export function parseCommandLine(argv: readonly string[]): CommandLine {
  const at = argv.findIndex((arg, i) => !arg.startsWith('-') && argv[i - 1] !== '--manifest');
  const name = argv[at];
  if (name === undefined) {
    const { values } = parse(argv, GLOBAL, 'imagefleet');
    return { command: undefined, values, positionals: [] };
  }
  if (!Object.hasOwn(COMMANDS, name))
    throw new UsageError(`unknown command "${name}" (commands: ${Object.keys(COMMANDS).join(', ')})`);
  const command = name as CommandName;
  const spec = COMMANDS[command];
  const { values, positionals } = parse(
    [...argv.slice(0, at), ...argv.slice(at + 1)],
    { ...GLOBAL, ...spec.options },
    command,
  );
  const rest = positionals;
  if (spec.positionals === 'none' && rest.length)
    throw new UsageError(`${command} takes no arguments, got "${rest[0]}"`);
  if (spec.positionals === 'one target' && rest.length !== 1)
    throw new UsageError(`${command} takes exactly one target, got ${rest.length}`);
  for (const flag of ['base', 'head'])
    if (values[flag] !== undefined && values['affected'] !== true)
      throw new UsageError(`${command}: --${flag} goes with --affected (the changes since --base are what it selects)`);
  if (values['containerd'] !== undefined || values['namespace'] !== undefined)
    if (values['as-node'] === undefined)
      throw new UsageError(`${command}: --containerd and --namespace go with --as-node DIR`);
  if (command === 'prune' && values['path'] !== undefined && values['values'] === undefined)
    throw new UsageError('prune: --path goes with --values FILE (the values files whose image refs are kept)');
  return { command, values, positionals: rest };
}

function parse(args: readonly string[], options: Options, command: string): Omit<CommandLine, 'command'> {
  try {
    // No flag in the tables is `multiple`, so every value is a string or a boolean.
    const { values, positionals } = parseArgs({ args: [...args], options, allowPositionals: true, strict: true });
    return { values: values as CommandLine['values'], positionals };
  } catch (error) {
    const code = (error as { code?: string }).code;
    const flag = /'(-[^']*)'/.exec((error as Error).message)?.[1];
    if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && flag) {
      const own = Object.keys(options)
        .filter((f) => f !== 'help')
        .map((f) => `--${f}`);
      throw new UsageError(`${command} does not take ${flag.split('=')[0]} (it takes ${own.join(', ')})`);
    }
    if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE')
      throw new UsageError(`${command}: ${(error as Error).message.replace(/\.$/, '')}`);
    throw error;
  }
}
