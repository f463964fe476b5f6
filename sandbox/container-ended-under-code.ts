/**
 * Telling the code's own end from its container being stopped under it. When a Docker engine stops (a restart, a
 * service stop), it stops every container, and each exec in them dies by a signal: to the sandbox that looks like
 * code that was killed. Saving that as the code's result would make it final (a retry picks a saved result up and
 * runs nothing), so an outage of a few seconds would fail the action with exit 137. Such an end is the
 * infrastructure's: the attempt is lost, and the retry rules for lost attempts apply (run again without network,
 * refuse with network, since the code may have done part of its work).
 */

export interface ExecEnd {
  /** The exec's own status; null when the engine had none (the container died under it). */
  execExitCode: number | null;
  /** Whether the container was still running when the exec had ended. */
  containerRunning: boolean;
  /** The container's own exit status once it has stopped (undefined while it runs or when the engine has none). */
  containerExitCode?: number;
  /** The sandbox's own wall-clock limit killed the container. */
  timedOut: boolean;
  /** The engine says the container hit its memory limit (gVisor ends the whole sandbox then). */
  oomKilled: boolean;
  /** The sampled memory use reached the limit: an out-of-memory end the engine may not have flagged. */
  memoryLimitReached: boolean;
}

/**
 * True when the code did not end by itself but with its container: the exec has no status or died by a signal,
 * the container is gone from under it, and neither of the limits the sandbox enforces (time, memory) explains it.
 * Code that exits with a status of its own (0-127) keeps its result even if the container stops right after.
 * Code that stops its own container (it runs as the container's user) only loses its attempt: the retry rules
 * still bound how often it runs, and it gains nothing it could not get by running again.
 */
export function endedUnderCode(end: ExecEnd): boolean {
  if (end.containerRunning || end.timedOut || end.oomKilled || end.memoryLimitReached) return false;
  // An engine that stops or loses a container ends it by a signal (143, 137) or marks it 255 after a crash. A
  // container whose init exited with a status of its own (a fork bomb leaves gVisor's init unable to go on: exit 2)
  // was ended by the code, and that end is the code's result.
  if (end.containerExitCode !== undefined && end.containerExitCode < 128) return false;
  return end.execExitCode === null || end.execExitCode >= 128;
}

/** The container stopped while the code ran, for a reason that is not the code's: retried like an engine fault. */
export class ContainerEndedUnderCodeError extends Error {
  override readonly name = 'ContainerEndedUnderCodeError';
  constructor(
    readonly containerName: string,
    readonly state: { exitCode?: number; finishedAt?: string; error?: string },
  ) {
    super(
      `the container ${containerName} stopped while the code ran (container exit ${state.exitCode ?? 'unknown'}` +
        `${state.error ? `, ${state.error}` : ''}); not the code's own end: its engine stopped or restarted it`,
    );
  }
}
