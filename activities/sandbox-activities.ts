import { Context, CancelledFailure } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { Logger } from 'pino';
import type { SandboxRuntime } from '../sandbox/runtime.js';
import { z } from 'zod';
import { ExecutionAttemptSchema, type ExecutionRequest, type ExecutionResult, type SandboxFailureType } from '../schemas/execution.js';
import { LostAttemptNotRetriedError, SandboxError } from '../sandbox/sandbox-errors.js';
import { isEngineUnreachable } from '../sandbox/docker-errors.js';
import type { EngineHealth } from '../sandbox/engine-health.js';

/**
 * The failure type of an attempt that the Docker engine cut short (it stopped answering). Retryable: the retry
 * policy waits out an engine restart, the sandbox worker stops polling while its engine is down, and an action
 * with network is still never run twice (the retry settles the earlier attempt first).
 */
export const ENGINE_UNAVAILABLE_FAILURE = 'DockerEngineUnavailable';

/** The part of a sandbox heartbeat a retry reads back (Temporal hands it the last one an earlier attempt sent). */
const HeartbeatAttemptsSchema = z.object({ attempts: z.array(ExecutionAttemptSchema) });

export interface SandboxActivityDeps {
  logger: Logger;
  sandbox: SandboxRuntime;
  /** The engine's health as this worker sees it: a task taken just as the engine went down is not started. */
  health?: Pick<EngineHealth, 'state'>;
}

/** Failure types the workflow may branch on; never retried. */
export type { SandboxFailureType };

/** Activities on the sandbox task queue: they need a Docker engine, so they run where one is. */
export function createSandboxActivities(deps: SandboxActivityDeps) {
  return {
    /**
     * Runs the code in a fresh container. Heartbeats while it runs; when the activity is cancelled (or its worker
     * shuts down) the abort signal kills and removes the container before the cancellation propagates.
     */
    async executeCode(request: ExecutionRequest): Promise<ExecutionResult> {
      const context = Context.current();
      const logger = deps.logger.child({
        runId: request.runId,
        actionId: request.actionId,
        activityId: context.info.activityId,
        attempt: context.info.attempt,
      });
      logger.info({ language: request.language, limits: request.limits }, 'sandbox execution starting');
      try {
        if (deps.health?.state === 'down') throw new Error('the Docker engine of this sandbox worker does not answer; nothing was started');
        const seen = HeartbeatAttemptsSchema.safeParse(context.info.heartbeatDetails);
        const result = await deps.sandbox.execute(request, {
          heartbeat: (details) => context.heartbeat(details),
          signal: context.cancellationSignal,
          logger,
          attempt: {
            attempt: context.info.attempt,
            executionRunId: context.info.workflowExecution?.runId ?? request.runId,
            ...(seen.success ? { heartbeatSeen: seen.data.attempts } : {}),
          },
        });
        logger.info(
          { exitCode: result.exitCode, timedOut: result.timedOut, oomKilled: result.oomKilled, durationMs: result.durationMs },
          'sandbox execution finished',
        );
        return result;
      } catch (err) {
        if (err instanceof CancelledFailure || context.cancellationSignal.aborted) {
          logger.warn('sandbox execution cancelled; container removed');
          throw err;
        }
        // Refusals no retry can fix fail for good, with the type the workflow and clients branch on.
        if (err instanceof SandboxError) {
          logger.warn({ err, type: err.type }, 'sandbox execution refused');
          // The attempt records travel in the failure, so the history keeps them.
          const details = err instanceof LostAttemptNotRetriedError ? [{ attempts: err.attempts }] : undefined;
          throw ApplicationFailure.create({ message: err.message, type: err.type, nonRetryable: true, cause: err, ...(details ? { details } : {}) });
        }
        // The infrastructure's fault, not the code's (whose failure is a result, never an error): retried.
        if (isEngineUnreachable(err) || deps.health?.state === 'down') {
          logger.warn({ err }, 'sandbox execution cut short by the Docker engine; the attempt will be retried');
          throw ApplicationFailure.create({ message: err instanceof Error ? err.message : String(err), type: ENGINE_UNAVAILABLE_FAILURE, cause: err instanceof Error ? err : undefined });
        }
        logger.error({ err }, 'sandbox execution failed');
        throw err;
      }
    },
  };
}

export type SandboxActivities = ReturnType<typeof createSandboxActivities>;
