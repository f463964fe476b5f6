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
