import { spawn } from 'node:child_process';

/** What a finished command left behind. */
export interface CommandResult {
  /** Exit code, or null when a signal ended the command (or it could not be started). */
  exitCode: number | null;
  stdout: string;
  stderr: string;
  /** Set when the command could not be started at all (typically ENOENT). */
  spawnError?: Error;
}

/**
 * Runs a command to completion and collects its output. Never rejects: callers decide what a failure means, and a
 * missing program is an ordinary outcome during set-up.
 */
export function runCommand(
  command: string,
  args: readonly string[],
  options: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Promise<CommandResult> {
  return new Promise((resolve) => {
    const child = spawn(command, args, {
      env: options.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: options.timeoutMs,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.once('error', (spawnError) => resolve({ exitCode: null, stdout, stderr, spawnError }));
    child.once('close', (exitCode) => resolve({ exitCode, stdout, stderr }));
  });
}

/**
 * Runs a long command (package installs) with its output shown on our stderr, so the person waiting sees progress
 * and our stdout stays clean. Resolves with the exit code; null when it could not start or a signal ended it.
 */
export function runCommandShowingOutput(
  command: string,
  args: readonly string[],
  options: { env?: NodeJS.ProcessEnv } = {},
): Promise<number | null> {
  return new Promise((resolve) => {
    const child = spawn(command, args, {
      env: options.env ?? process.env,
      stdio: ['ignore', process.stderr, process.stderr],
    });
    child.once('error', () => resolve(null));
    child.once('close', (exitCode) => resolve(exitCode));
  });
}
