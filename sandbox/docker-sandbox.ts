import { randomBytes } from 'node:crypto';
import { hostname as hostName } from 'node:os';
import { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import type Docker from 'dockerode';
import type { Logger } from 'pino';
import type { ExecutionRequest, ExecutionResult } from '../schemas/execution.js';
import type { ArtifactStore } from './artifact-store.js';
import { buildCodeArchive } from './code-archive.js';
import { containerNameFor } from './container-name.js';
import { buildContainerSpec } from './container-spec.js';
import { hasDockerStatus } from './docker-errors.js';
import { sandboxLabels } from './labels.js';
import { CODE_DIR } from './language-entrypoints.js';
import { CappedOutputCollector } from './output-capture.js';
import type { ExecutionHooks, SandboxRuntime } from './runtime.js';

/** The sandbox image is not on this Docker host; the message says how to build it. */
export class SandboxImageMissingError extends Error {
  override readonly name = 'SandboxImageMissingError';
  constructor(readonly image: string) {
    super(
      `the sandbox image ${image} is not on this Docker host: build it with ` +
        '`node dist/sandbox/image/build-main.js` (or `npm run up`, which builds it)',
    );
  }
}

export interface DockerSandboxOptions {
  docker: Docker;
  /** Image reference every execution runs, e.g. `airlock-sandbox:latest`. */
  image: string;
  artifactStore: ArtifactStore;
  logger: Logger;
  /** OCI runtime such as `runsc`; the engine's default when absent. */
  runtime?: string;
  heartbeatIntervalMs?: number;
}

const DEFAULT_HEARTBEAT_INTERVAL_MS = 2_000;
/** Added to the timeout in the deadline label: after that the reaper may remove the container whoever owns it. */
const DEADLINE_GRACE_MS = 5 * 60_000;
/** After the process exits, how long the attached output stream may take to deliver its last bytes. */
const OUTPUT_DRAIN_MS = 5_000;
const REMOVE_ATTEMPTS = 5;
const REMOVE_RETRY_MS = 200;

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

function collectorSink(collector: CappedOutputCollector): Writable {
  return new Writable({
    write(chunk: Buffer, _encoding, callback) {
      collector.write(chunk);
      callback();
    },
  });
}

/** A rejected promise that settles when the signal aborts, with the signal's reason; never when there is none. */
function abortion(signal: AbortSignal | undefined): { promise: Promise<never>; dispose: () => void } {
  if (!signal) return { promise: new Promise<never>(() => undefined), dispose: () => undefined };
  let onAbort: () => void = () => undefined;
  const promise = new Promise<never>((_, reject) => {
    onAbort = () => reject(signal.reason);
    // An abort that happened already fires no event any more.
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
  });
  // Observed by the race below; this keeps an abort after the race from being reported as unhandled.
  promise.catch(() => undefined);
  return { promise, dispose: () => signal.removeEventListener('abort', onAbort) };
}

/**
 * Runs each execution in a fresh hardened container (see container-spec.ts), delivers the code as a file, captures
 * stdout and stderr under a cap, enforces the wall-clock timeout, and removes the container (and its code volume)
 * on every path: success, failure, timeout, abort.
 */
export class DockerSandbox implements SandboxRuntime {
  private readonly docker: Docker;
  private readonly image: string;
  private readonly artifactStore: ArtifactStore;
  private readonly logger: Logger;
  private readonly runtime: string | undefined;
  private readonly heartbeatIntervalMs: number;

  constructor(options: DockerSandboxOptions) {
    this.docker = options.docker;
    this.image = options.image;
    this.artifactStore = options.artifactStore;
    this.logger = options.logger;
    this.runtime = options.runtime;
    this.heartbeatIntervalMs = options.heartbeatIntervalMs ?? DEFAULT_HEARTBEAT_INTERVAL_MS;
  }

  async execute(request: ExecutionRequest, hooks: ExecutionHooks = {}): Promise<ExecutionResult> {
    const { runId, actionId, limits } = request;
    const log = (hooks.logger ?? this.logger).child({ runId, actionId });
    const signal = hooks.signal;
    signal?.throwIfAborted();

    const heartbeatStartedAt = Date.now();
    const heartbeat = hooks.heartbeat
      ? setInterval(() => hooks.heartbeat?.({ elapsedMs: Date.now() - heartbeatStartedAt }), this.heartbeatIntervalMs)
      : undefined;
    try {
      const imageId = await this.imageId();
      const name = containerNameFor(runId, actionId);
      // A retried activity finds the container of its earlier attempt under the same name.
      await this.removeContainer(name, log, 'earlier attempt');
      signal?.throwIfAborted();

      const spec = buildContainerSpec({
        request,
        image: this.image,
        name,
        hostname: `sbx-${randomBytes(6).toString('hex')}`,
        labels: sandboxLabels({
          runId,
          actionId,
          owner: { host: hostName(), pid: process.pid },
          deadlineMs: Date.now() + limits.timeoutSec * 1000 + DEADLINE_GRACE_MS,
        }),
        ...(this.runtime ? { runtime: this.runtime } : {}),
      });
      const archive = await buildCodeArchive(request.language, request.code);
      const container = await this.docker.createContainer(spec);
      log.info({ containerId: container.id, containerName: name, image: this.image }, 'sandbox container created');
      try {
        return await this.runContainer(container, name, imageId, request, archive, log, signal);
      } finally {
        await this.removeContainer(container.id, log, 'finished');
      }
    } finally {
      clearInterval(heartbeat);
    }
  }

  private async runContainer(
    container: Docker.Container,
    containerName: string,
    imageId: string,
    request: ExecutionRequest,
    archive: Buffer,
    log: Logger,
    signal: AbortSignal | undefined,
  ): Promise<ExecutionResult> {
    const { limits } = request;
    const stdout = new CappedOutputCollector(limits.outputBytes);
    const stderr = new CappedOutputCollector(limits.outputBytes);
    const aborted = abortion(signal);
    let timeoutTimer: NodeJS.Timeout | undefined;
    let output: NodeJS.ReadWriteStream | undefined;
    let timedOut = false;
    try {
      // The code goes in as a file while the container is created but not started; never as a shell string.
      await Promise.race([container.putArchive(archive, { path: CODE_DIR }), aborted.promise]);

      // Attached before start, so not a byte of output is missed (the engine keeps no log copy).
      const attached = await container.attach({ stream: true, stdout: true, stderr: true });
      output = attached;
      const outputEnded = finished(attached).catch(() => undefined);
      this.docker.modem.demuxStream(attached, collectorSink(stdout), collectorSink(stderr));

      await Promise.race([container.start(), aborted.promise]);
      const startedAt = Date.now();
      timeoutTimer = setTimeout(() => {
        timedOut = true;
        log.info({ timeoutSec: limits.timeoutSec }, 'sandbox timed out; killing the container');
        container.kill().catch((err: unknown) => log.debug({ err }, 'kill after timeout failed'));
      }, limits.timeoutSec * 1000);

      await Promise.race([container.wait(), aborted.promise]);
      const durationMs = Date.now() - startedAt;
      clearTimeout(timeoutTimer);
      await Promise.race([outputEnded, delay(OUTPUT_DRAIN_MS)]);

      const info = await container.inspect();
      const stdoutCapture = stdout.finish();
      const stderrCapture = stderr.finish();
      await Promise.all([
        this.artifactStore.put(stdoutCapture.bytes),
        this.artifactStore.put(stderrCapture.bytes),
      ]);
      const result: ExecutionResult = {
        exitCode: typeof info.State.ExitCode === 'number' ? info.State.ExitCode : null,
        stdout: stdoutCapture.output,
        stderr: stderrCapture.output,
        timedOut,
        oomKilled: info.State.OOMKilled === true,
        durationMs,
        sandbox: {
          containerId: container.id,
          containerName,
          image: this.image,
          imageId,
          runtime: info.HostConfig.Runtime ?? 'runc',
          limits,
        },
      };
      log.info(
        {
          exitCode: result.exitCode,
          timedOut,
          oomKilled: result.oomKilled,
          durationMs,
          stdoutBytes: result.stdout.bytes,
          stderrBytes: result.stderr.bytes,
          truncated: result.stdout.truncated || result.stderr.truncated,
        },
        'sandbox finished',
      );
      return result;
    } catch (err) {
      if (signal?.aborted) {
        // The caller's finally removes (and so kills) the container; report the abort, not a Docker error.
        log.info('sandbox aborted; killing the container');
        throw signal.reason;
      }
      throw err;
    } finally {
      clearTimeout(timeoutTimer);
      aborted.dispose();
      output?.removeAllListeners('data');
      (output as { destroy?: () => void } | undefined)?.destroy?.();
    }
  }

  private async imageId(): Promise<string> {
    try {
      return (await this.docker.getImage(this.image).inspect()).Id;
    } catch (err) {
      if (hasDockerStatus(err, 404)) throw new SandboxImageMissingError(this.image);
      throw err;
    }
  }

  /** Force-removes a container and its anonymous volume; absent is fine, "removal in progress" is waited out. */
  private async removeContainer(idOrName: string, log: Logger, why: string): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.docker.getContainer(idOrName).remove({ force: true, v: true });
        log.debug({ container: idOrName, why }, 'sandbox container removed');
        return;
      } catch (err) {
        if (hasDockerStatus(err, 404)) return;
        if (!hasDockerStatus(err, 409) || attempt >= REMOVE_ATTEMPTS) {
          log.error({ err, container: idOrName, why }, 'could not remove sandbox container; the reaper will retry');
          if (why === 'earlier attempt') throw err;
          return;
        }
        await delay(REMOVE_RETRY_MS * attempt);
      }
    }
  }
}
