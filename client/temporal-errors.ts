/**
 * Translation of Temporal client errors into Airlock's typed errors. This is the one place that inspects
 * Temporal's own error classes.
 */
import { WorkflowNotFoundError } from '@temporalio/common';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { RunNotFoundError } from './errors.js';

/** True when Temporal says the workflow (run) does not exist. */
export function isWorkflowNotFound(err: unknown): boolean {
  return err instanceof WorkflowNotFoundError;
}

/**
 * The reason a workflow's update validator (or handler) gave, when `err` is an update failure; undefined
 * otherwise. Temporal wraps the workflow's ApplicationFailure as the `cause` of WorkflowUpdateFailedError.
 */
export function updateRejectionReason(err: unknown): string | undefined {
  if (!(err instanceof WorkflowUpdateFailedError)) return undefined;
  const cause = err.cause;
  if (cause instanceof Error && cause.message) return cause.message;
  return err.message;
}

/**
 * True when the workflow has no handler for the update: a run whose workflow code predates it. The workflow SDK
 * rejects such an update with a fixed message and no failure type, so the message is the only sign there is.
 */
export function isUnknownUpdate(err: unknown): boolean {
  const reason = updateRejectionReason(err);
  return reason !== undefined && reason.startsWith('No registered handler for update:');
}

/** Rethrows "workflow not found" as RunNotFoundError; anything else unchanged. */
export function rethrowNotFound(runId: string, err: unknown): never {
  if (isWorkflowNotFound(err)) throw new RunNotFoundError(runId, { cause: err });
  throw err;
}
