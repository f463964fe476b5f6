import { Context, CancelledFailure } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { Logger } from 'pino';
import type { SandboxRuntime } from '../sandbox/runtime.js';
import type { ExecutionRequest, ExecutionResult } from '../schemas/execution.js';

export interface SandboxActivityDeps {
  logger: Logger;
  sandbox: SandboxRuntime;
}

/** Failure types the workflow may branch on; never retried. */
export type SandboxFailureType = 'SandboxImageMissing' | 'InvalidExecutionRequest' | 'StrongIsolationUnavailable';

/** Sandbox errors that no retry can fix, by error name, and the failure type each becomes. */
const PERMANENT_ERRORS: Readonly<Record<string, SandboxFailureType>> = {
  SandboxImageMissingError: 'SandboxImageMissing',
  StrongIsolationUnavailableError: 'StrongIsolationUnavailable',
  CodeTooLargeError: 'InvalidExecutionRequest',
  InvalidSandboxRequestError: 'InvalidExecutionRequest',
  InputFilesError: 'InvalidExecutionRequest',
  EgressUnderStrongIsolationError: 'InvalidExecutionRequest',
};

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
        const result = await deps.sandbox.execute(request, {
          heartbeat: (details) => context.heartbeat(details),
          signal: context.cancellationSignal,
          logger,
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
        const permanentType = PERMANENT_ERRORS[(err as { name?: string }).name ?? ''];
        if (permanentType) {
          logger.warn({ err, type: permanentType }, 'sandbox execution refused');
          throw ApplicationFailure.create({
            message: (err as Error).message,
            type: permanentType,
            nonRetryable: true,
            cause: err as Error,
          });
        }
        logger.error({ err }, 'sandbox execution failed');
        throw err;
      }
    },
  };
}

export type SandboxActivities = ReturnType<typeof createSandboxActivities>;
