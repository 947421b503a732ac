#!/usr/bin/env node
/**
 * imagefleet CLI: the one place that turns outcomes and errors into exit codes. Every command
 * is a thin adapter over the pipeline libs.
 */
import { parseArgs } from 'node:util';
import { ManifestError, SecretsError } from '@imagefleet/manifest';
import { createInterruptSignal } from './interrupt.js';
import { resolveManifestPath } from './manifest-path.js';
import { imageCommand, pushCommand } from './commands/task.js';
import { verifyCommand } from './commands/verify.js';
import { preflightCommand } from './commands/preflight.js';
import { summaryCommand } from './commands/summary.js';
import { runCommandLine } from './commands/run.js';
import { planCommand } from './commands/plan.js';
import { pinCommand } from './commands/pin.js';
import { taskServerCommand } from './task-server.js';

const USAGE = `usage: imagefleet <command> [options]

  run <target> [--parallel N] [--affected --base REF] [--projects a,b] [--direct]
                          run an Nx target (push, image, verify) over the services with one run id,
                          then print the summary table; rows for every service, even on Ctrl-C.
                          push: unchanged images (content tag in the registry, verified) are settled
                          first, in this process; --direct runs the rest here too instead of nx run-many
  plan [--affected --base REF] [--projects a,b]
                          which services a run would cover, and why (a change to a service's files or to
                          its entry in services.manifest.yaml, or an image it builds FROM); builds nothing
  image <service>         build one service's image (what the Nx image target runs)
  push <service>          build (unless unchanged), push and verify one service's image (the Nx push target)
  verify [service...]     verify services in the registry without building; table, non-zero on any gap
  preflight               check the push registry answers, speaks the configured scheme, accepts credentials
  summary                 print the latest summary as a table
  pin --values FILE [--path image.ref] [--projects a,b]
                          write verified digest pins (<host>/<ns>/<svc>@sha256:…) into GitOps values files,
                          keeping comments and order; FILE may contain {service}; refuses unverified digests

  --manifest FILE         services.manifest.yaml (default: found from the current directory up)
  --json                  verify/summary: print JSON`;

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      manifest: { type: 'string' },
      json: { type: 'boolean', default: false },
      parallel: { type: 'string' },
      affected: { type: 'boolean', default: false },
      direct: { type: 'boolean', default: false },
      base: { type: 'string' },
      head: { type: 'string' },
      projects: { type: 'string' },
      'run-id': { type: 'string' },
      info: { type: 'string' },
      'owner-pid': { type: 'string' },
      values: { type: 'string' },
      path: { type: 'string', default: 'image.ref' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const [command, ...rest] = positionals;
  if (values.help || !command) {
    process.stdout.write(`${USAGE}\n`);
    return command || values.help ? 0 : 2;
  }
  const manifestFile = resolveManifestPath(values.manifest);
  if (command === 'task-server') {
    // Internal: started by the Nx plugin's pre-tasks hook, in a session of its own; it handles
    // SIGTERM itself and a task's interrupt arrives over its connection.
    return taskServerCommand(manifestFile, {
      runId: required(values['run-id'], '--run-id'),
      infoFile: required(values.info, '--info'),
      covered: values.projects === undefined ? null : values.projects.split(',').filter(Boolean),
      ownerPid: values['owner-pid'] ? Number(values['owner-pid']) : undefined,
    });
  }
  const signal = createInterruptSignal();
  switch (command) {
    case 'image':
      return imageCommand(manifestFile, one(rest, 'image'), signal);
    case 'push':
      return pushCommand(manifestFile, one(rest, 'push'), signal);
    case 'verify':
      return verifyCommand(manifestFile, rest, { json: values.json });
    case 'preflight':
      return preflightCommand(manifestFile);
    case 'summary':
      return summaryCommand(manifestFile, { json: values.json });
    case 'pin':
      if (!values.values) throw new UsageError('pin needs --values FILE');
      return pinCommand(manifestFile, { values: values.values, path: values.path, projects: values.projects?.split(',').filter(Boolean) });
    case 'plan':
      return planCommand(manifestFile, {
        affected: values.affected,
        base: values.base,
        head: values.head,
        projects: values.projects?.split(',').filter(Boolean),
        json: values.json,
      });
    case 'run':
      return runCommandLine(manifestFile, one(rest, 'run'), {
        parallel: values.parallel,
        affected: values.affected,
        base: values.base,
        head: values.head,
        projects: values.projects?.split(',').filter(Boolean),
        direct: values.direct,
      }, signal);
    default:
      throw new UsageError(`unknown command "${command}"`);
  }
}

class UsageError extends Error {}

function required(value: string | undefined, flag: string): string {
  if (!value) throw new UsageError(`${flag} is required`);
  return value;
}

function one(rest: string[], command: string): string {
  if (rest.length !== 1) throw new UsageError(`${command} takes exactly one ${command === 'run' ? 'target' : 'service'}, got ${rest.length}`);
  return rest[0]!;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof ManifestError || error instanceof SecretsError) {
      process.stderr.write(`${error.message}\n`);
      process.exitCode = 2;
    } else if (error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`imagefleet: ${(error as Error).message}\n${USAGE}\n`);
      process.exitCode = 2;
    } else {
      process.stderr.write(`imagefleet: ${(error as Error).message ?? String(error)}\n`);
      process.exitCode = 1;
    }
  },
);
