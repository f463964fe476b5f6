import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';

/** A server process started in its own process group, with its output in a log file. */
export interface ManagedProcess {
  readonly name: string;
  readonly pid: number;
  readonly logFile: string;
  /** True until the process has exited. */
  running(): boolean;
  /** SIGTERM to the group, SIGKILL after `graceMs`; resolves once it has exited. */
  stop(graceMs?: number): Promise<void>;
  /** SIGKILL at once, as a crash would: no clean-up runs. */
  kill(): Promise<void>;
  /** The last lines of the log, for error messages. */
  logTail(lines?: number): Promise<string>;
}

/** Starts `command` detached (its own process group, so stopping it stops its children too). */
export function startManagedProcess(options: { name: string; command: string; args: string[]; env?: NodeJS.ProcessEnv; cwd?: string; logFile: string }): ManagedProcess {
  const log = openSync(options.logFile, 'a');
  let child: ChildProcess;
  try {
    child = spawn(options.command, options.args, {
      env: options.env ?? process.env,
      ...(options.cwd ? { cwd: options.cwd } : {}),
      stdio: ['ignore', log, log],
      detached: true,
    });
  } finally {
    closeSync(log);
  }
  let exited = child.exitCode !== null;
  const done = new Promise<void>((resolve) => {
    child.once('exit', () => {
      exited = true;
      resolve();
    });
    child.once('error', () => {
      exited = true;
      resolve();
    });
  });
  const signalGroup = (signal: NodeJS.Signals) => {
    if (exited || child.pid === undefined) return;
    try {
      process.kill(-child.pid, signal);
    } catch {
      // Already gone.
    }
  };
  return {
    name: options.name,
    pid: child.pid ?? -1,
    logFile: options.logFile,
    running: () => !exited,
    async stop(graceMs = 10_000) {
      signalGroup('SIGTERM');
      const stopped = await Promise.race([done.then(() => true), sleep(graceMs).then(() => false)]);
      if (!stopped) {
        signalGroup('SIGKILL');
        await done;
      }
    },
    async kill() {
      signalGroup('SIGKILL');
      await done;
    },
    async logTail(lines = 20) {
      const text = await readFile(options.logFile, 'utf8').catch(() => '');
      return text.trim().split('\n').slice(-lines).join('\n');
    },
  };
}

/** Polls `probe` until it resolves true, the process exits, or the time is up; the error quotes the process's log. */
export async function waitUntilReady(process: ManagedProcess, probe: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!process.running()) throw new Error(`${process.name} exited during start-up:\n${await process.logTail()}`);
    if (await probe().catch(() => false)) return;
    await sleep(250);
  }
  throw new Error(`${process.name} was not ready after ${Math.round(timeoutMs / 1000)}s:\n${await process.logTail()}`);
}

/** waitUntilReady, and a process that never became ready is stopped before the error is passed on. */
export async function waitUntilReadyOrStop(process: ManagedProcess, probe: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  try {
    await waitUntilReady(process, probe, timeoutMs);
  } catch (err) {
    await process.stop();
    throw err;
  }
}
