import type Docker from 'dockerode';
import type { Logger } from 'pino';
import type { IsolationLevel } from '../../schemas/action.js';
import type { ExecutionRequest, ExecutionResult } from '../../schemas/execution.js';
import { openActionEgress, type ActionEgress } from './action-egress.js';
import type { EgressLog, ResolveHost } from './egress-proxy.js';
import { EgressUnderStrongIsolationError } from '../sandbox-errors.js';

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
  resolve?: ResolveHost;
}): Promise<ActionEgress | undefined> {
  const { request } = input;
  if (!request.network) return undefined;
  if (input.isolation === 'strong') throw new EgressUnderStrongIsolationError(request.actionId);
  return openActionEgress({
    docker: input.docker,
    containerName: input.containerName,
    allow: request.network.allow,
    labels: input.labels,
    logger: input.logger,
    ...(input.resolve ? { resolve: input.resolve } : {}),
  });
}

/** The result with the egress record added. */
export function withEgressLog(result: ExecutionResult, log: EgressLog): ExecutionResult {
  return { ...result, egress: log.attempts, ...(log.omitted > 0 ? { egressOmitted: log.omitted } : {}) };
}
