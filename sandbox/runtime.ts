import type { Logger } from 'pino';
import type { ExecutionAttempt, ExecutionRequest, ExecutionResult } from '../schemas/execution.js';

/** Which activity attempt an execution is, and what earlier attempts' heartbeats said. */
export interface AttemptContext {
  /** 1 for the first attempt. */
  attempt: number;
  /** The Temporal run (execution) the activity belongs to: journal entries of another execution are ignored. */
  executionRunId: string;
  /** Attempt records from the last heartbeat Temporal kept (a previous attempt's), if any. */
  heartbeatSeen?: readonly ExecutionAttempt[];
}

/** Callbacks the caller (an activity) hands to a long execution. */
export interface ExecutionHooks {
  /** Called at least every few seconds while the code runs, so the activity can heartbeat. */
  heartbeat?: (details?: unknown) => void;
  /** Aborting kills and removes the container; `execute` then rejects with the abort reason. */
  signal?: AbortSignal;
  logger?: Logger;
  /** Called once the execution has its container (created, or leased from the warm pool), before the code starts. */
  onContainer?: (container: { containerId: string; containerName: string; pooled: boolean }) => void;
  /** Absent: a first attempt with nothing before it. */
  attempt?: AttemptContext;
}

/** Runs one piece of code in a fresh, hardened, throw-away sandbox. */
export interface SandboxRuntime {
  execute(request: ExecutionRequest, hooks?: ExecutionHooks): Promise<ExecutionResult>;
  /** Removes warm containers and waits for clean-ups still running in the background (worker shutdown). */
  close?(): Promise<void>;
}
