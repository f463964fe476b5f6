import type { Logger } from 'pino';
import type { ExecutionRequest, ExecutionResult } from '../schemas/execution.js';

/** Callbacks the caller (an activity) hands to a long execution. */
export interface ExecutionHooks {
  /** Called at least every few seconds while the code runs, so the activity can heartbeat. */
  heartbeat?: (details?: unknown) => void;
  /** Aborting kills and removes the container; `execute` then rejects with the abort reason. */
  signal?: AbortSignal;
  logger?: Logger;
  /** Called once the execution has its container (created, or leased from the warm pool), before the code starts. */
  onContainer?: (container: { containerId: string; containerName: string; pooled: boolean }) => void;
}

/** Runs one piece of code in a fresh, hardened, throw-away sandbox. */
export interface SandboxRuntime {
  execute(request: ExecutionRequest, hooks?: ExecutionHooks): Promise<ExecutionResult>;
  /** Removes warm containers and waits for clean-ups still running in the background (worker shutdown). */
  close?(): Promise<void>;
}
