import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';

/** Exit status as a shell reports it: the code, or 128 + signal number when a signal ended the process. */
export function shellExitStatus(code: number | null, signal: NodeJS.Signals | null): number {
  if (code !== null) return code;
  const signalNumbers: Partial<Record<NodeJS.Signals, number>> = { SIGHUP: 1, SIGINT: 2, SIGKILL: 9, SIGTERM: 15 };
  return 128 + (signal ? (signalNumbers[signal] ?? 1) : 1);
}

/**
 * Spawns a command and resolves with its shell-style exit status (127 if it cannot start). Stdio is inherited
 * unless `options.stdio` says otherwise (the caller then reads the pipes in `onSpawn`).
 */
export function runInForeground(
  command: string,
  args: readonly string[],
  options: SpawnOptions,
  onSpawn?: (child: ChildProcess) => void,
): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: 'inherit', ...options });
    onSpawn?.(child);
    child.once('error', () => resolve(127));
    child.once('exit', (code, signal) => resolve(shellExitStatus(code, signal)));
  });
}
