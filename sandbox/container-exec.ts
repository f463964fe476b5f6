import type { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import type Docker from 'dockerode';
import { hasDockerStatus } from './docker-errors.js';
import { delay } from '../platform/delay.js';

/** How often the engine is asked whether an exec has ended, when its output stream stays open. */
const EXEC_POLL_MS = 100;
/**
 * After the engine reports the process ended, how long its output stream may take to deliver the last bytes. The
 * engine has already waited for the process's own output by then; a stream still open is held by a straggler.
 */
const EXEC_DRAIN_MS = 300;

export interface ExecOptions {
  cmd: string[];
  /** `uid:gid`; never root. */
  user: string;
  workingDir: string;
  stdout: Writable;
  stderr: Writable;
  /** Called with the exec's stream, so that the caller can tear it down (abort, timeout). */
  onStarted?: (stop: () => void) => void;
}

/**
 * Runs one process in a running container and waits for it: output demultiplexed into the two sinks, exit code
 * from the engine. The end is taken from the engine, not from the stream, because a daemonised child can hold the
 * stream open after the process itself has exited. Null exit code: the container died under the process.
 */
export async function runExec(docker: Docker, container: Docker.Container, options: ExecOptions): Promise<{ exitCode: number | null }> {
  const exec = await container.exec({
    Cmd: options.cmd,
    User: options.user,
    WorkingDir: options.workingDir,
    AttachStdin: false,
    AttachStdout: true,
    AttachStderr: true,
    Tty: false,
  });
  const stream = (await exec.start({ hijack: true, stdin: false })) as NodeJS.ReadWriteStream & { destroy(): void };
  const ended = finished(stream).then(
    () => true,
    () => true,
  );
  docker.modem.demuxStream(stream, options.stdout, options.stderr);
  options.onStarted?.(() => stream.destroy());
  try {
    let streamEnded = false;
    for (;;) {
      streamEnded ||= await Promise.race([ended, delay(EXEC_POLL_MS).then(() => false)]);
      let info: Docker.ExecInspectInfo;
      try {
        info = await exec.inspect();
      } catch (err) {
        // The engine forgets an exec when its container dies: the process ended without a status of its own.
        if (hasDockerStatus(err, 404)) return { exitCode: null };
        throw err;
      }
      if (!info.Running) {
        if (!streamEnded) await Promise.race([ended, delay(EXEC_DRAIN_MS)]);
        return { exitCode: typeof info.ExitCode === 'number' ? info.ExitCode : null };
      }
    }
  } finally {
    stream.removeAllListeners('data');
    stream.destroy();
  }
}
