/**
 * Hosts found dead during one run. When a registry does not answer (no connection, or no
 * response headers, within the transport's timeouts), every later request to it in the same run
 * fails at once with the same reason instead of waiting out the timeouts again: a 4-service run
 * against a port that accepts and never answers took 244 s (issue 11 #11).
 *
 * One per run, created by whoever owns the run and handed to every registry client of it
 * (`createRegistryClient({ circuit })`); never module state, so a long-lived process (the Nx
 * daemon) cannot carry one run's verdict into the next.
 */
import { RegistryError } from '../errors.js';

export class HostCircuit {
  readonly #dead = new Map<string, RegistryError>();

  /** The error that marked `host` dead in this run, if any. */
  deadReason(host: string): RegistryError | undefined {
    return this.#dead.get(host.toLowerCase());
  }

  /** Mark `host` dead; the first reason stays. */
  trip(host: string, error: RegistryError): void {
    const key = host.toLowerCase();
    if (!this.#dead.has(key)) this.#dead.set(key, error);
  }

  /** Throws, for `operation`, the reason `host` is dead; returns when it is not known dead. */
  check(host: string, ctx: { operation: string; repository?: string }): void {
    const first = this.deadReason(host);
    if (!first) return;
    throw new RegistryError({
      host,
      ...(ctx.repository !== undefined && { repository: ctx.repository }),
      operation: ctx.operation,
      reason: first.reason,
      ...(first.code !== undefined && { code: first.code }),
      retryable: false,
      ...(first.network !== undefined && { network: first.network }),
    });
  }

  /** Hosts known dead, for a summary. */
  get deadHosts(): string[] {
    return [...this.#dead.keys()];
  }
}

/** A fresh circuit for one run. @example const circuit = createHostCircuit(); createRegistryClient({ host, circuit }) */
export function createHostCircuit(): HostCircuit {
  return new HostCircuit();
}
