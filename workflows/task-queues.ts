/** Task queue for workflows and light activities (policy, risk). */
export const CONTROL_TASK_QUEUE = 'airlock';

/**
 * Sandbox activities go to `<control queue>-sandbox`, so the default deployment uses `airlock-sandbox` and a test
 * that runs its own workers on a private control queue gets a private sandbox queue with it.
 */
export function sandboxTaskQueueFor(controlTaskQueue: string): string {
  return `${controlTaskQueue}-sandbox`;
}

export const SANDBOX_TASK_QUEUE = sandboxTaskQueueFor(CONTROL_TASK_QUEUE);

/**
 * Strong-isolation actions go to `<control queue>-sandbox-strong`, which only hosts with gVisor poll: such an action
 * can never be picked up by a host that would have to refuse it (or, worse, run it without gVisor).
 */
export function strongSandboxTaskQueueFor(controlTaskQueue: string): string {
  return `${sandboxTaskQueueFor(controlTaskQueue)}-strong`;
}

/**
 * The sandbox queue an execution goes to. Strong isolation that must not fall back goes to the strong queue; an
 * action whose policy allows a fallback stays on the common queue, where any host may take it (gVisor hosts poll
 * both queues and run it under gVisor; the others run it standard and record why).
 */
export function sandboxTaskQueueForExecution(
  controlTaskQueue: string,
  request: { isolation?: 'standard' | 'strong' | undefined; whenStrongUnavailable?: 'fail' | 'fallback' | undefined },
): string {
  if (request.isolation === 'strong' && request.whenStrongUnavailable !== 'fallback') return strongSandboxTaskQueueFor(controlTaskQueue);
  return sandboxTaskQueueFor(controlTaskQueue);
}
