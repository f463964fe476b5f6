/**
 * Runs a background task once at once and then every interval, one run at a time; the returned stop function waits
 * for a run in progress. Failures are the task's to log.
 */
export function startPeriodic(task: () => Promise<unknown>, intervalMs: number): () => Promise<void> {
  let running: Promise<unknown> = Promise.resolve();
  const tick = () => {
    running = running.then(task, task).catch(() => undefined);
  };
  tick();
  const timer = setInterval(tick, intervalMs);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await running;
  };
}
