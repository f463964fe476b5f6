import { randomBytes } from 'node:crypto';
import type Docker from 'dockerode';
import type { Logger } from 'pino';
import type { ArtifactStore } from '../../platform/artifact-store.js';
import { delay } from '../../platform/delay.js';
import type { ExecutionRequest, ExecutionResult } from '../../schemas/execution.js';
import type { LimitKind } from '../../schemas/resource-usage.js';
import { abortion } from '../abort-promise.js';
import { sandboxUser, WORKSPACE_DIR } from '../container-spec.js';
import type { RuntimeChoice } from '../isolation.js';
import { CappedOutputCollector } from '../output-capture.js';
import { collectOutputs } from '../output-collection.js';
import { UsageSampler } from '../usage-sampler.js';
import type { WarmContainer } from './warm-container.js';
import { encodeRequest, exitCodeOf, TrailerSplitter, type ZygoteReport } from './zygote-protocol.js';
import { TOKEN_BYTES } from './zygote-source.js';

const PAGE_BYTES = 4096;
/** As on the cold path: collecting outputs reads a few MiB from a tmpfs at most. */
const COLLECT_TIMEOUT_MS = 30_000;
/** After the code's end was reported on one stream, how long the other may take to report it too. */
const OTHER_TRAILER_MS = 2_000;

export interface WarmExecutionInput {
  docker: Docker;
  warm: WarmContainer;
  request: ExecutionRequest;
  choice: RuntimeChoice;
  image: string;
  artifactStore: ArtifactStore;
  log: Logger;
  signal: AbortSignal | undefined;
}

/**
 * Runs one request in a leased warm container: the request and then the token go to the zygote's stdin, output is
 * captured under the cap until both streams end with the zygote's report, the wall-clock limit kills the container,
 * and the declared outputs are collected as on the cold path. The caller releases (destroys) the container after.
 */
export async function executeWarm(input: WarmExecutionInput): Promise<ExecutionResult> {
  const { docker, warm, request, choice, log, signal } = input;
  const { limits } = request;
  const token = randomBytes(TOKEN_BYTES);
  const stdout = new CappedOutputCollector(limits.outputBytes);
  const stderr = new CappedOutputCollector(limits.outputBytes);
  let onBoth: () => void = () => undefined;
  const bothReported = new Promise<void>((resolve) => (onBoth = resolve));
  let onFirst: () => void = () => undefined;
  const firstReported = new Promise<void>((resolve) => (onFirst = resolve));
  const reports: ZygoteReport[] = [];
  const reported = (report: ZygoteReport) => {
    reports.push(report);
    onFirst();
    if (reports.length === 2) onBoth();
  };
  const outSplitter = new TrailerSplitter(token, (chunk) => stdout.write(chunk), reported);
  const errSplitter = new TrailerSplitter(token, (chunk) => stderr.write(chunk), reported);
  warm.route.stdout = (chunk) => outSplitter.write(chunk);
  warm.route.stderr = (chunk) => errSplitter.write(chunk);

  const aborted = abortion(signal);
  const sampler = new UsageSampler(warm.container);
  let timedOut = false;
  let timeoutTimer: NodeJS.Timeout | undefined;
  try {
    const startedAt = Date.now();
    warm.stream.write(encodeRequest({ language: request.language, code: request.code, files: request.files, timeoutSec: limits.timeoutSec }, token));
    sampler.start();
    timeoutTimer = setTimeout(() => {
      timedOut = true;
      log.info({ timeoutSec: limits.timeoutSec }, 'warm sandbox timed out; killing the container');
      void Promise.race([sampler.sample(), delay(500)]).then(() =>
        warm.container.kill().catch((err: unknown) => log.debug({ err }, 'kill after timeout failed')),
      );
    }, limits.timeoutSec * 1000);

    // Done when both streams carry the report, or the container is gone (killed, out of memory, code killed the zygote).
    await Promise.race([
      bothReported,
      warm.ended,
      firstReported.then(() => Promise.race([bothReported, delay(OTHER_TRAILER_MS)])),
      aborted.promise,
    ]);
    const durationMs = Date.now() - startedAt;
    clearTimeout(timeoutTimer);
    const report = reports[0];
    const complete = reports.length === 2 && !timedOut;
    if (!complete) {
      outSplitter.flush();
      errSplitter.flush();
    }
    // Periodic samples only cover long runs; the report's figures are exact for the code's process tree.
    const sampled = await sampler.stop();

    let exitCode: number | null = report ? exitCodeOf(report) : null;
    let oomFlag = false;
    if (!report || timedOut || exitCode === 137) {
      const info = await warm.container.inspect().catch(() => undefined);
      oomFlag = info?.State.OOMKilled === true;
      if (!report && info && !info.State.Running && typeof info.State.ExitCode === 'number' && !timedOut) exitCode = info.State.ExitCode;
    }
    if (timedOut) exitCode = report ? exitCode : null;

    const peak = report?.memPeak ?? (report ? report.maxRssKb * 1024 : null) ?? sampled.peakMemoryBytes;
    const memoryLimitReached =
      (report?.memFail ?? 0) > 0 ||
      (report?.memPeak != null && report.memLimit != null && report.memPeak >= report.memLimit - PAGE_BYTES) ||
      sampled.memoryLimitReached;
    const oomKilled = oomFlag || (exitCode === 137 && !timedOut && memoryLimitReached);

    const user = sandboxUser(warm.uid);
    const outputs = request.outputs
      ? timedOut || !complete
        ? {
            outputFiles: [],
            skippedOutputs: [
              { path: request.outputs.join(' '), reason: timedOut ? 'not collected: the code timed out' : 'not collected: the sandbox ended first' },
            ],
          }
        : await Promise.race([
            collectOutputs({ docker, container: warm.container, globs: request.outputs, user, workingDir: WORKSPACE_DIR, artifactStore: input.artifactStore }),
            delay(COLLECT_TIMEOUT_MS).then(() => ({
              outputFiles: [],
              skippedOutputs: [{ path: request.outputs!.join(' '), reason: 'not collected: collection took too long' }],
            })),
            aborted.promise,
          ])
      : undefined;

    const stdoutCapture = stdout.finish();
    const stderrCapture = stderr.finish();
    await Promise.all([input.artifactStore.put(stdoutCapture.bytes), input.artifactStore.put(stderrCapture.bytes)]);
    const limitsHit: LimitKind[] = [];
    if (timedOut) limitsHit.push('timeout');
    if (oomKilled || memoryLimitReached) limitsHit.push('memory');
    if (sampled.pidsLimitReached) limitsHit.push('pids');
    if (stdoutCapture.output.truncated || stderrCapture.output.truncated) limitsHit.push('output');
    const result: ExecutionResult = {
      exitCode,
      stdout: stdoutCapture.output,
      stderr: stderrCapture.output,
      timedOut,
      oomKilled,
      durationMs,
      sandbox: {
        containerId: warm.id,
        containerName: warm.name,
        image: input.image,
        imageId: warm.poolClass.imageId,
        runtime: warm.poolClass.runtime ?? 'runc',
        limits,
        isolation: choice.isolation,
        pooled: true,
      },
      usage: { wallMs: durationMs, cpuMs: report?.cpuMs ?? sampled.cpuMs, peakMemoryBytes: peak, limitsHit },
      ...(outputs ? outputs : {}),
    };
    log.info(
      {
        containerName: warm.name,
        exitCode,
        timedOut,
        oomKilled,
        durationMs,
        usage: result.usage,
        stdoutBytes: result.stdout.bytes,
        stderrBytes: result.stderr.bytes,
        outputFiles: outputs?.outputFiles.length,
      },
      'warm sandbox finished',
    );
    return result;
  } catch (err) {
    if (signal?.aborted) {
      log.info('warm sandbox aborted; removing the container');
      throw signal.reason;
    }
    throw err;
  } finally {
    clearTimeout(timeoutTimer);
    aborted.dispose();
    await sampler.stop();
  }
}
