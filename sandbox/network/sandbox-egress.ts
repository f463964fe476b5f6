import type Docker from 'dockerode';
import type { Logger } from 'pino';
import type { IsolationLevel } from '../../schemas/action.js';
import type { ExecutionCredential } from '../../schemas/credentials.js';
import type { ExecutionRequest, ExecutionResult } from '../../schemas/execution.js';
import { openActionEgress, type ActionEgress } from './action-egress.js';
import type { ControlPlane } from './control-plane.js';
import type { EgressLog } from './egress-proxy.js';
import type { ResolveHost } from './egress-resolver.js';
import type { SecretStore } from '../../platform/secret-store.js';
import { EgressUnderStrongIsolationError, SecretUnavailableError } from '../sandbox-errors.js';

/** The action's CA outlives its timeout by this much (container start, output collection). */
const AUTHORITY_MARGIN_MS = 10 * 60_000;

/**
 * Opens the egress path of an execution that has an allowlist (undefined when it has none, so it keeps
 * `--network none`). Call once the container name is free and before the container is created.
 */
export async function egressForExecution(input: {
  docker: Docker;
  request: ExecutionRequest;
  isolation: IsolationLevel;
  containerName: string;
  labels: Record<string, string>;
  logger: Logger;
  controlPlane?: ControlPlane;
  resolve?: ResolveHost;
  /** The request's credentials with their values (readCredentials). */
  credentials?: readonly ReadCredential[];
  upstreamCa?: readonly string[];
}): Promise<ActionEgress | undefined> {
  const { request } = input;
  if (!request.network) return undefined;
  if (input.isolation === 'strong') throw new EgressUnderStrongIsolationError(request.actionId);
  const credentials = input.credentials ?? [];
  return openActionEgress({
    ...(credentials.length > 0 ? { credentials, authorityLifetimeMs: request.limits.timeoutSec * 1_000 + AUTHORITY_MARGIN_MS } : {}),
    ...(input.upstreamCa ? { upstreamCa: input.upstreamCa } : {}),
    docker: input.docker,
    containerName: input.containerName,
    allow: request.network.allow,
    labels: input.labels,
    logger: input.logger,
    ...(request.network.privateDestinations ? { privateDestinations: request.network.privateDestinations } : {}),
    ...(input.controlPlane ? { controlPlane: input.controlPlane } : {}),
    ...(input.resolve ? { resolve: input.resolve } : {}),
  });
}

/** A credential of the request with its value from the store. */
export type ReadCredential = ExecutionCredential & { value: string };

/**
 * The values of the request's credentials, read before anything is created: a secret the store does not hold
 * fails the execution with a clear message and nothing runs.
 */
export async function readCredentials(request: ExecutionRequest, secrets: SecretStore | undefined): Promise<ReadCredential[]> {
  const read: ReadCredential[] = [];
  for (const credential of request.credentials ?? []) {
    const value = await secrets?.get(credential.name);
    if (value === undefined) throw new SecretUnavailableError(credential.name);
    read.push({ ...credential, value });
  }
  return read;
}

/** The result with the egress record added. */
export function withEgressLog(result: ExecutionResult, log: EgressLog): ExecutionResult {
  return { ...result, egress: log.attempts, ...(log.omitted > 0 ? { egressOmitted: log.omitted } : {}) };
}
