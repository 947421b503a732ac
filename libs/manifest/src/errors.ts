import type { ManifestIssue } from './types.js';

/** `services.manifest.yaml:14:3 services.www_ameide: image names use hyphens, …` */
export function formatIssue(issue: ManifestIssue): string {
  const where = `${issue.file}:${issue.line}:${issue.column}`;
  return issue.path === '' ? `${where} ${issue.message}` : `${where} ${issue.path}: ${issue.message}`;
}

/** The manifest cannot be used. `issues` holds every problem found, in the order reported. */
export class ManifestError extends Error {
  override readonly name = 'ManifestError';
  readonly issues: ManifestIssue[];

  constructor(issues: ManifestIssue[]) {
    super(issues.map(formatIssue).join('\n'));
    this.issues = issues;
  }
}

/** A secret some selected service needs, set neither in the environment nor in `.env`. */
export interface MissingSecret {
  secret: string;
  /** The selected services that name it, in manifest order. */
  services: string[];
}

/** Secrets are missing. The message names secrets and services, never a value. */
export class SecretsError extends Error {
  override readonly name = 'SecretsError';
  readonly missing: MissingSecret[];

  constructor(missing: MissingSecret[]) {
    super(missing.map(formatMissing).join('\n'));
    this.missing = missing;
  }
}

function formatMissing({ secret, services }: MissingSecret): string {
  const by = services.length === 1 ? `service ${services[0]}` : `services ${services.join(', ')}`;
  return `secret ${secret} needed by ${by} is not set: add it to .env or the environment`;
}
