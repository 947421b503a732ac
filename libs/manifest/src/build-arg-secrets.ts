/**
 * A build arg must not carry a secret's value: build args are stored in the image config
 * (`docker history`, the config blob in the registry), so the value would be pushed with the
 * image while every log masks it. The tool holds every secret's value, so it can tell before
 * building. Messages name the service, the build arg and the secret, never the value.
 */
import type { Manifest, ServiceSpec } from './types.js';

/** Longer values are looked for inside a build arg (`https://x:TOKEN@host`), shorter ones only as the whole value. */
const EMBEDDED_MIN_LENGTH = 8;

export interface BuildArgSecretProblem {
  secret: string;
  services: string[];
  message: string;
}

export function buildArgSecretProblems(
  manifest: Manifest,
  services: readonly ServiceSpec[],
  secretValues: ReadonlyMap<string, string>,
): BuildArgSecretProblem[] {
  const problems: BuildArgSecretProblem[] = [];
  for (const service of services)
    for (const [arg, value] of Object.entries(service.buildArgs))
      for (const [secret, secretValue] of secretValues) {
        const holds =
          value === secretValue || (secretValue.length >= EMBEDDED_MIN_LENGTH && value.includes(secretValue));
        if (!holds) continue;
        problems.push({
          secret,
          services: [service.name],
          message: `${manifest.file}:${service.line} service ${service.name}: build arg ${arg} holds the value of secret ${secret}; build args are stored in the image config and pushed with it: drop the build arg and pass secrets: [${secret}] (RUN --mount=type=secret,id=${secret})`,
        });
      }
  return problems;
}
