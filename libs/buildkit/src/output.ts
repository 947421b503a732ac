/** Reading what the docker CLI printed: the pushed digest, and failures worth explaining. */

/**
 * `dev: digest: sha256:… size: 528` — the last such line of a `docker push`. Give it the RAW
 * output (`RunResult.raw.stdout` with `keepRaw`, or lines from `onRawLine`): redacted output
 * can have the digest masked (a secret `a` turns `sha256:` into `sh***256:`).
 */
export function parsePushDigest(output: string): string | null {
  const matches = [...output.matchAll(PUSH_DIGEST)];
  return matches.at(-1)?.[1] ?? null;
}

const PUSH_DIGEST = /digest: (sha256:[a-f0-9]{64}) size: \d+/g;

/** Reads the pushed digest line by line from raw output: pass `line` as `onRawLine`. */
export interface PushDigestReader {
  line(raw: string): void;
  /** The last digest line seen, or null. */
  digest(): string | null;
}

/** @example const reader = pushDigestReader(); await runCommand(f, a, { onRawLine: reader.line, onLine: log }); reader.digest() */
export function pushDigestReader(): PushDigestReader {
  let found: string | null = null;
  return {
    line: (raw) => {
      found = parsePushDigest(raw) ?? found;
    },
    digest: () => found,
  };
}

/** An image ID from an --iidfile. */
export function parseImageId(text: string): string | null {
  const m = /sha256:[a-f0-9]{64}/.exec(text.trim());
  return m ? m[0] : null;
}

/**
 * Failures whose raw message does not tell a person what to do: return a one-line
 * explanation with the fix, or null to keep the builder's own last line.
 */
export function explainBuildFailure(
  output: string,
  docker: string,
  redact: (text: string) => string = (t) => t,
): string | null {
  const explained = explainRaw(output, docker);
  // The explanation may quote the output: mask it when the output given was raw.
  return explained === null ? null : redact(explained);
}

function explainRaw(output: string, docker: string): string | null {
  const noBuilder = /no builder "([^"]+)" found/.exec(output);
  if (noBuilder)
    return `there is no buildx builder "${noBuilder[1]}": create it with \`imagefleet builder ensure\` (from builder.create) or pick one from \`docker buildx ls\` for builder.name`;
  const https = /"https:\/\/([^/"]+)\/v2\/[^"]*": http: server gave HTTP response to HTTPS client/.exec(output);
  if (https) {
    const host = https[1]!;
    return `the builder spoke HTTPS to ${host}, which is plain HTTP ("server gave HTTP response to HTTPS client"): add [registry."${host}"] http = true to the builder's buildkitd.toml (imagefleet cluster-config --for buildkitd writes it)`;
  }
  if (/BuildKit is enabled but the buildx component is missing/i.test(output)) {
    return `${docker} has no buildx and refuses BuildKit builds ("BuildKit is enabled but the buildx component is missing"): set builder.docker in services.manifest.yaml (or IMAGEFLEET_DOCKER) to a CLI that supports DOCKER_BUILDKIT=1, e.g. /usr/bin/docker, or install the buildx plugin and use builder.driver: buildx`;
  }
  if (/Cannot connect to the Docker daemon/i.test(output)) {
    return `no Docker engine answers (${lastLine(output)}): start one, e.g. bash tools/dev-env/up.sh`;
  }
  if (/'buildx' is not a docker command|unknown command "buildx"|docker: 'buildx'/i.test(output)) {
    return `${docker} has no buildx plugin: install it (bash tools/dev-env/up.sh --with-buildx) or use builder.driver: docker`;
  }
  if (/pull access denied|failed to resolve source metadata|not found: manifest unknown/i.test(output)) {
    return `a base image could not be found (${lastLine(output)}): build it first (dependsOn) or make it available locally; there is no Docker Hub here`;
  }
  return null;
}

/**
 * Push failures: a one-line reason with the fix when the cause is known.
 */
export function explainPushFailure(output: string, pushHost: string): string | null {
  if (/server gave HTTP response to HTTPS client/i.test(output)) {
    return `${pushHost} speaks plain HTTP but the engine used HTTPS: add it to dockerd's insecure-registries, or push through a loopback host (pushHost: localhost:<port>)`;
  }
  if (/no such host|Temporary failure in name resolution|server misbehaving/i.test(output)) {
    return `${pushHost} does not resolve from this machine: set registry.pushHost to an address this machine reaches (e.g. localhost:5001)`;
  }
  if (/connection refused/i.test(output)) {
    return `nothing listens at ${pushHost}: start the registry (bash tools/dev-env/up.sh) or fix registry.pushHost`;
  }
  if (/unauthorized|authentication required|denied/i.test(output)) {
    return `${pushHost} refused the credentials: set IMAGEFLEET_REGISTRY_USER/_PASSWORD or docker login ${pushHost}`;
  }
  return null;
}

function lastLine(text: string): string {
  return (
    text
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean)
      .at(-1) ?? ''
  );
}
