#!/usr/bin/env node
/**
 * imagefleet CLI: the one place that turns outcomes and errors into exit codes. Every command
 * is a thin adapter over the pipeline libs.
 */
import { ClusterConfigError } from '@imagefleet/cluster';
import { ManifestError, SecretsError } from '@imagefleet/manifest';
import { DEFAULT_CONTAINERD_ADDRESS, DEFAULT_NODE_NAMESPACE } from '@imagefleet/pipeline';
import { resolveManifestPath } from './manifest-path.js';
import { parseCommandLine } from './flags.js';
import { UsageError } from './usage-error.js';
import { verifyCommand, type NodeOptions } from './commands/verify.js';
import { clusterConfigCommand } from './commands/cluster-config.js';
import { doctorCommand } from './commands/doctor.js';
import { preflightCommand } from './commands/preflight.js';
import { summaryCommand } from './commands/summary.js';
import { runCommandLine } from './commands/run.js';
import { planCommand } from './commands/plan.js';
import { pinCommand } from './commands/pin.js';
import { pruneCommand } from './commands/prune.js';
import { builderCommand } from './commands/builder.js';
import { fluxCommand } from './commands/flux.js';

const USAGE = `usage: imagefleet <command> [options]

  run <target> [--jobs N] [--affected --base REF] [--projects a,b]
                          nx run-many -t <target> (push, image, verify) over the selected services; with
                          --affected, exactly the services whose files or manifest entry changed, and
                          what builds FROM them. --jobs: builds at once (default: one per core)
  plan [--affected --base REF] [--projects a,b]
                          which services a run would cover, and why; builds nothing
  verify [service...] [--as-node DIR [--containerd SOCK] [--namespace NS]]
                          verify services in the registry without building; table, non-zero on any gap.
                          --as-node: also pull each verified digest by its reference name through
                          containerd with DIR's hosts.toml (certs.d, or a cluster-config --out DIR), as
                          a node does (SOCK default ${DEFAULT_CONTAINERD_ADDRESS}, NS default ${DEFAULT_NODE_NAMESPACE})
  preflight               check the push registry answers, speaks the configured scheme, accepts credentials
  doctor [--as-node DIR [--containerd SOCK] [--namespace NS]]
                          check the set-up from this machine, the engine and (with --as-node) a node: names
                          resolve, scheme, credentials, port, insecure-registries, buildx, underscore
                          repositories, stale content tags; one line per problem with its fix; 0 when all pass
  cluster-config --for k3d|k3s|kind|containerd|buildkitd [--out DIR] [--workers N] [--with-credentials]
                          what a cluster needs to pull from the registry, from the manifest: printed, or
                          written under DIR (containerd: DIR/certs.d/<host:port>/hosts.toml, CAs beside;
                          buildkitd: DIR/buildkitd.toml, for buildkitd --config or buildx create
                          --buildkitd-config); --workers: KIND worker nodes; --with-credentials:
                          registries.yaml gets auth from the env vars registry.hosts names (file mode 0600)
  builder ensure          create the buildx builder of builder.name from builder.create when it is
                          missing (or no longer bootstraps), bootstrap it, leave a healthy one alone
  summary [--runs] [--against RUN|FILE|previous [--fail-on slower:2x,failed,newly-failed]] [--open]
                          the latest summary as a table; --runs: the kept runs; --against: the latest run
                          against an earlier one (exit 0 unless --fail-on); --open: the timeline's path
  pin --values FILE [--path image.ref] [--digest] [--projects a,b]
                          write verified digest pins (<host>/<ns>/<svc>@sha256:…) into GitOps values files,
                          and the newest verified tag into Flux setter markers (--digest: name:tag@digest),
                          keeping comments and order; FILE may contain {service}; refuses unverified digests
  flux --out DIR | flux check
                          write the Flux image automation objects that follow the tag templates / check
                          that Flux would select exactly what this machine last pushed and verified
  prune [--dry-run] [--values FILE --path image.ref] [--projects a,b]
                          delete old manifests (keeps current tags, pins, values refs, the newest
                          retention.keep content images), GC the dev registry, verify what is kept

  --manifest FILE         services.manifest.yaml (default: found from the current directory up)
  --json                  verify/summary/plan/doctor: print JSON`;

async function main(argv: string[]): Promise<number> {
  const { command, values, positionals: rest } = parseCommandLine(argv);
  if (values['help'] || !command) {
    process.stdout.write(`${USAGE}\n`);
    return command || values['help'] ? 0 : 2;
  }
  const flag = (name: string) => values[name] as string | undefined;
  const on = (name: string) => values[name] === true;
  const manifestFile = resolveManifestPath(flag('manifest'));
  const projects = flag('projects')?.split(',').filter(Boolean);
  const asNode: NodeOptions | undefined = flag('as-node')
    ? {
        hostsDir: flag('as-node')!,
        address: flag('containerd') ?? DEFAULT_CONTAINERD_ADDRESS,
        namespace: flag('namespace') ?? DEFAULT_NODE_NAMESPACE,
      }
    : undefined;
  const selection = { affected: on('affected'), base: flag('base'), head: flag('head'), projects };
  switch (command) {
    case 'verify':
      return verifyCommand(manifestFile, rest, { json: on('json'), asNode });
    case 'preflight':
      return preflightCommand(manifestFile);
    case 'doctor':
      return doctorCommand(manifestFile, { asNode, json: on('json') });
    case 'cluster-config':
      return clusterConfigCommand(manifestFile, {
        for: flag('for'),
        out: flag('out'),
        workers: flag('workers'),
        withCredentials: on('with-credentials'),
      });
    case 'prune':
      return pruneCommand(manifestFile, {
        dryRun: on('dry-run'),
        values: flag('values'),
        path: flag('path') ?? DEFAULT_VALUES_PATH,
        projects,
      });
    case 'builder':
      return builderCommand(manifestFile, rest);
    case 'summary':
      return summaryCommand(manifestFile, {
        json: on('json'),
        runs: on('runs'),
        against: flag('against'),
        failOn: flag('fail-on'),
        open: on('open'),
      });
    case 'pin': {
      const valuesFile = flag('values');
      if (!valuesFile) throw new UsageError('pin needs --values FILE');
      return pinCommand(manifestFile, { values: valuesFile, path: flag('path'), digest: on('digest'), projects });
    }
    case 'flux':
      return fluxCommand(manifestFile, rest, { out: flag('out'), json: on('json') });
    case 'plan':
      return planCommand(manifestFile, { ...selection, json: on('json') });
    case 'run':
      return runCommandLine(manifestFile, rest[0]!, { ...selection, jobs: flag('jobs') });
    default: {
      const never: never = command;
      throw new UsageError(`unknown command "${String(never)}"`);
    }
  }
}

/** Where `pin` and `prune` find the image reference in a values file. */
const DEFAULT_VALUES_PATH = 'image.ref';

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof ManifestError || error instanceof SecretsError || error instanceof ClusterConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exitCode = 2;
    } else if (error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      // One line saying what was wrong; `imagefleet --help` has the usage.
      process.stderr.write(`imagefleet: ${(error as Error).message}\n`);
      process.exitCode = 2;
    } else {
      process.stderr.write(`imagefleet: ${(error as Error).message ?? String(error)}\n`);
      process.exitCode = 1;
    }
  },
);
