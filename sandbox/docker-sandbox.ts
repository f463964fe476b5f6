import { randomBytes } from 'node:crypto';
import tls from 'node:tls';
import { Writable } from 'node:stream';
import type Docker from 'dockerode';
import type { Logger } from 'pino';
import { MAX_CODE_BYTES, resolveLimits } from '../schemas/action.js';
import { InputFilesSchema, OutputGlobsSchema } from '../schemas/files.js';
import type { ExecutionAttempt, ExecutionRequest, ExecutionResult } from '../schemas/execution.js';
import type { LimitKind } from '../schemas/resource-usage.js';
import type { ArtifactStore } from '../platform/artifact-store.js';
import { MemoryAttemptJournal, type AttemptEntry, type AttemptJournal } from './attempt-journal.js';
import { buildCodeArchive } from './code-archive.js';
import { removeContainerPatiently, removeUnusedVolumesPatiently } from './remove-container.js';
import { containerNameFor } from './container-name.js';
import { runExec } from './container-exec.js';
import { ContainerEndedUnderCodeError, endedUnderCode } from './container-ended-under-code.js';
import { buildContainerSpec, codeCommand, CONTAINER_DEADLINE_MARGIN_SEC, EGRESS_CA_BUNDLE_FILE_NAME, EGRESS_CA_FILE_NAME, HELPER_ENV, HELPER_PYTHON, launched, sandboxUser, WORKSPACE_DIR } from './container-spec.js';
import { hasDockerStatus } from './docker-errors.js';
import { formatOwner, LABELS, MANAGED_LABEL_FILTER, sandboxLabels } from './labels.js';
import { CODE_DIR } from './language-entrypoints.js';
import { chooseRuntime, STRONG_RUNTIME, type RuntimeChoice } from './isolation.js';
import { egressForExecution, readCredentials, withEgressLog } from './network/sandbox-egress.js';
import { maskCapture, type SecretValue } from './output-masking.js';
import type { SecretStore } from '../platform/secret-store.js';
import type { ControlPlane } from './network/control-plane.js';
import type { ResolveHost } from './network/egress-resolver.js';
import { CappedOutputCollector } from './output-capture.js';
import { collectOutputs, type CollectedOutputs } from './output-collection.js';
import { reachFaultPoint } from './fault-point.js';
import { SandboxUidAllocator, type UidRange } from './uid-allocator.js';
import { UsageSampler } from './usage-sampler.js';
import { refusalMessage, settleEarlierAttempts } from './earlier-attempts.js';
import { HELPER_FILE_NAME } from './workspace-helper.js';
import { newWorkerInstanceId } from './worker-instance.js';
import type { ExecutionHooks, SandboxRuntime } from './runtime.js';
import { delay } from '../platform/delay.js';
import { abortion } from './abort-promise.js';
import {
  AttemptFencedError,
  CodeTooLargeError,
  InputFilesError,
  InvalidSandboxRequestError,
  LostAttemptNotRetriedError,
  SandboxImageMissingError,
} from './sandbox-errors.js';
import { coldReason, poolClassFor } from './warm/pool-class.js';
import { executeWarm } from './warm/warm-execution.js';
import { WarmPool } from './warm/warm-pool.js';

export interface DockerSandboxOptions {
  docker: Docker;
  /** Image reference every execution runs, e.g. `airlock-sandbox:latest`. */
  image: string;
  artifactStore: ArtifactStore;
  logger: Logger;
  /** OCI runtime for `standard` isolation; the engine's default (runc) when absent. */
  runtime?: string;
  /** OCI runtime for `strong` isolation; `runsc` (gVisor) when absent. */
  strongRuntime?: string;
  heartbeatIntervalMs?: number;
  /**
   * How the egress proxy resolves allowlisted names; its own c-ares resolver (the host's DNS servers, a deadline,
   * a small cache) when absent. Tests inject one, or point it at a DNS server they run on loopback.
   */
  resolveHost?: ResolveHost;
  /** What the egress proxy never connects to; from this process's environment when absent. */
  controlPlane?: ControlPlane;
  /** Uids handed to sandboxes, one per live sandbox; 100000-165535 when absent. */
  uidRange?: UidRange;
  /**
   * Warm single-use containers (sandbox/warm/): absent or false, every execution creates its own container. The
   * worker passes the sizing read from AIRLOCK_WARM_POOL* (pool-sizing.ts).
   */
  warmPool?: { perClass: { standard: number; strong: number }; maxClasses: number; idleSec: number; acquireWaitMs?: number } | false;
  /** Where the values of secrets the egress proxy adds are read; an execution with credentials fails without. */
  secrets?: SecretStore;
  /** Trusted for destinations whose TLS the egress proxy terminates to add a credential; Node's roots when absent. */
  upstreamCa?: readonly string[];
  /**
   * Where attempts are journalled on this host (see attempt-journal.ts); in memory when absent, which proves
   * nothing to a retry in another process, so workers pass a folder.
   */
  journal?: AttemptJournal;
  /** This worker's instance id, the owner label of its containers (see worker-instance.ts); a new one when absent. */
  instanceId?: string;
}

const DEFAULT_HEARTBEAT_INTERVAL_MS = 2_000;
/**
 * Added to the timeout in the deadline label: after that the reaper may remove the container whoever owns it. The
 * container's own main process has ended it a minute earlier (see idleCommand).
 */
const DEADLINE_GRACE_MS = CONTAINER_DEADLINE_MARGIN_SEC * 1000 + 60_000;
/** How long a timed-out container may take to be measured before it is killed. */
const TIMEOUT_SAMPLE_MS = 500;
/** Collecting outputs reads at most a few MiB from a tmpfs; anything slower is the sandbox stalling it. */
const COLLECT_TIMEOUT_MS = 30_000;

/** Steps of an attempt the journal records as they happen. */
interface AttemptSteps {
  /** Just before the container starts; throws when a later attempt fenced this one off. */
  starting(): Promise<void>;
  /** The code ended: its result so far (no outputs yet). */
  exited(partial: ExecutionResult): Promise<void>;
}

function collectorSink(collector: CappedOutputCollector): Writable {
  return new Writable({
    write(chunk: Buffer, _encoding, callback) {
      collector.write(chunk);
      callback();
    },
  });
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
  private readonly strongRuntime: string;
  private readonly heartbeatIntervalMs: number;
  private readonly resolveHost: ResolveHost | undefined;
  private readonly controlPlane: ControlPlane | undefined;
  private readonly uids: SandboxUidAllocator;
  private readonly secrets: SecretStore | undefined;
  private readonly upstreamCa: readonly string[] | undefined;
  private readonly journal: AttemptJournal;
  private readonly instanceId: string;
  private engineRuntimes: Promise<string[]> | undefined;
  private readonly pool: WarmPool | undefined;
  /** Removals that finished executions left running: awaited on close, never by the execution. */
  private readonly cleanups = new Set<Promise<void>>();

  constructor(options: DockerSandboxOptions) {
    this.docker = options.docker;
    this.image = options.image;
    this.artifactStore = options.artifactStore;
    this.logger = options.logger;
    this.runtime = options.runtime;
    this.strongRuntime = options.strongRuntime ?? STRONG_RUNTIME;
    this.heartbeatIntervalMs = options.heartbeatIntervalMs ?? DEFAULT_HEARTBEAT_INTERVAL_MS;
    this.resolveHost = options.resolveHost;
    this.controlPlane = options.controlPlane;
    this.uids = new SandboxUidAllocator(options.uidRange);
    this.journal = options.journal ?? new MemoryAttemptJournal();
    this.instanceId = options.instanceId ?? newWorkerInstanceId();
    this.secrets = options.secrets;
    this.upstreamCa = options.upstreamCa;
    if (options.warmPool) {
      this.pool = new WarmPool({
        docker: this.docker,
        logger: this.logger.child({ component: 'warm-pool' }),
        uids: this.uids,
        owner: { instance: this.instanceId },
        ...options.warmPool,
      });
    }
  }

  /** Starts filling the pool of the default class (standard isolation, default limits) before the first action. */
  async prewarm(): Promise<void> {
    if (!this.pool) return;
    const imageId = await this.imageId();
    const request: ExecutionRequest = { runId: 'prewarm', actionId: 'prewarm', language: 'python', code: 'pass', limits: resolveLimits(undefined) };
    this.pool.prewarm(poolClassFor(request, { runtime: this.runtime, isolation: 'standard' }, imageId));
  }

  async close(): Promise<void> {
    await this.pool?.close();
    while (this.cleanups.size > 0) await Promise.allSettled([...this.cleanups]);
  }

  private inBackground(cleanup: Promise<void>): void {
    this.cleanups.add(cleanup);
    void cleanup.finally(() => this.cleanups.delete(cleanup));
  }

  async execute(request: ExecutionRequest, hooks: ExecutionHooks = {}): Promise<ExecutionResult> {
    const { runId, actionId, limits } = request;
    const log = (hooks.logger ?? this.logger).child({ runId, actionId });
    const signal = hooks.signal;
    signal?.throwIfAborted();
    // Also checked by the action schema; repeated here because this is the last point before a container exists.
    const codeBytes = Buffer.byteLength(request.code, 'utf8');
    if (codeBytes > MAX_CODE_BYTES) throw new CodeTooLargeError(codeBytes);
    // The workflow validated these already; the sandbox does not rely on it.
    for (const [schema, value] of [[InputFilesSchema, request.files], [OutputGlobsSchema, request.outputs]] as const) {
      const parsed = value === undefined ? undefined : schema.safeParse(value);
      if (parsed && !parsed.success) throw new InvalidSandboxRequestError(parsed.error.issues.map((i) => i.message).join('; '));
    }

    const attempt = hooks.attempt?.attempt ?? 1;
    const executionRunId = hooks.attempt?.executionRunId ?? runId;
    const name = containerNameFor(runId, actionId, attempt);
    // What this attempt's heartbeats say: a retry that cannot read this host's journal still learns from them.
    const current: ExecutionAttempt = { attempt, containerName: name, phase: 'preparing', outcome: 'unknown' };
    let earlier: ExecutionAttempt[] = [];
    const heartbeatStartedAt = Date.now();
    const beat = () => hooks.heartbeat?.({ elapsedMs: Date.now() - heartbeatStartedAt, attempts: [...earlier, current] });
    const heartbeat = hooks.heartbeat ? setInterval(beat, this.heartbeatIntervalMs) : undefined;
    const journal = (entry: Omit<AttemptEntry, 'attempt' | 'containerName' | 'executionRunId'>) => {
      Object.assign(current, { phase: entry.phase }, entry.containerId ? { containerId: entry.containerId } : {}, entry.startedAt ? { startedAt: entry.startedAt } : {});
      beat();
      return this.journal.write({ attempt, containerName: name, executionRunId, ...entry });
    };
    try {
      if (attempt > 1) {
        const settled = await settleEarlierAttempts({
          docker: this.docker,
          journal: this.journal,
          runId,
          actionId,
          attempt,
          executionRunId,
          ...(hooks.attempt?.heartbeatSeen ? { heartbeatSeen: hooks.attempt.heartbeatSeen } : {}),
          logger: log,
        });
        earlier = settled.records;
        log.info({ attempt, earlier }, 'earlier attempts settled');
        if (settled.pickup) {
          const { attempt: from, result } = settled.pickup;
          log.warn({ attempt, from }, 'an earlier attempt ran the code to its end: its result is returned, nothing runs again');
          return {
            ...result,
            pickedUpFromAttempt: from,
            attempts: [...earlier, { ...current, outcome: 'completed', note: `returned the result of attempt ${from}; ran nothing` }],
          };
        }
        // At most once: an action with network does not run again after an attempt that may have run it.
        if (request.network && !settled.noneRan) throw new LostAttemptNotRetriedError(refusalMessage(actionId, earlier), earlier);
      }
      await journal({ phase: 'preparing' });
      // Before anything exists: a secret this worker cannot read fails the execution with nothing created.
      const credentials = await readCredentials(request, this.secrets);
      const imageId = await this.imageId();
      const choice = await this.chooseRuntime(request);
      if (choice.fallback) log.warn({ reason: choice.fallback }, 'strong isolation unavailable; running standard');
      const warm = this.pool && !coldReason(request, choice) ? await this.pool.acquire(poolClassFor(request, choice, imageId)) : undefined;
      if (warm) {
        log.info({ containerId: warm.id, containerName: warm.name, imageId, uid: warm.uid }, 'sandbox container leased from the warm pool');
        hooks.onContainer?.({ containerId: warm.id, containerName: warm.name, pooled: true });
        try {
          return await executeWarm({ docker: this.docker, warm, request, choice, image: this.image, artifactStore: this.artifactStore, log, signal });
        } finally {
          this.pool!.release(warm);
        }
      }
      // Only a leftover of another execution under a reused run id can hold this attempt's name.
      await this.removeContainer(name, log, 'earlier attempt');
      signal?.throwIfAborted();

      const labels = sandboxLabels({
        runId,
        actionId,
        owner: { instance: this.instanceId },
        deadlineMs: Date.now() + limits.timeoutSec * 1000 + DEADLINE_GRACE_MS,
      });
      // With an allowlist: an internal network and an egress proxy, closed only after the container is gone.
      const egress = await egressForExecution({
        docker: this.docker,
        request,
        isolation: choice.isolation,
        containerName: name,
        labels,
        logger: log,
        ...(this.controlPlane ? { controlPlane: this.controlPlane } : {}),
        ...(this.resolveHost ? { resolve: this.resolveHost } : {}),
        ...(credentials.length > 0 ? { credentials } : {}),
        ...(this.upstreamCa ? { upstreamCa: this.upstreamCa } : {}),
      });
      // This sandbox's own uid, held until its container is gone (another worker's live containers are skipped).
      const uid = await this.uids.allocate(async (candidate) => {
        const holders = await this.docker.listContainers({ all: true, filters: { label: [`${LABELS.uid}=${candidate}`] } });
        return holders.length > 0;
      });
      let uidHandedOff = false;
      try {
        const spec = buildContainerSpec({
          request,
          // Created from the image id that the result records, so the two cannot differ.
          image: imageId,
          uid,
          name,
          hostname: `sbx-${randomBytes(6).toString('hex')}`,
          labels,
          ...(choice.runtime ? { runtime: choice.runtime } : {}),
          isolation: choice.isolation,
          ...(egress ? { egress } : {}),
        });
        spec.Labels = { ...spec.Labels, [LABELS.uid]: String(uid), [LABELS.attempt]: String(attempt) };
        const archive = await buildCodeArchive(
          request.language,
          request.code,
          request.files,
          egress?.caCertPem
            ? [
                [EGRESS_CA_FILE_NAME, egress.caCertPem],
                [EGRESS_CA_BUNDLE_FILE_NAME, `${tls.rootCertificates.join('\n')}\n${egress.caCertPem}`],
              ]
            : [],
        );
        const container = await this.docker.createContainer(spec).catch((err: unknown) => {
          // The engine may have made the code volume before it failed (it stopped during the call): not left behind.
          this.inBackground(this.removeUnusedVolumes(runId, actionId, log));
          throw err;
        });
        log.info({ containerId: container.id, containerName: name, image: this.image, imageId, uid, attempt }, 'sandbox container created');
        hooks.onContainer?.({ containerId: container.id, containerName: name, pooled: false });
        await journal({ phase: 'created', containerId: container.id });
        await reachFaultPoint('created', runId, name);
        const steps: AttemptSteps = {
          // Claimed and journalled before the container starts: a retry that fences first keeps it from starting.
          starting: async () => {
            if ((await this.journal.claim(name, 'start')) === 'fence') throw new AttemptFencedError(name);
            await journal({ phase: 'started', containerId: container.id, startedAt: new Date().toISOString() });
          },
          exited: (partial) =>
            journal({
              phase: 'exited',
              containerId: container.id,
              ...(current.startedAt ? { startedAt: current.startedAt } : {}),
              endedAt: new Date().toISOString(),
              ...(egress ? { egressAttempts: egress.log().attempts.length + egress.log().omitted } : {}),
              result: egress ? withEgressLog(partial, egress.log()) : partial,
            }),
        };
        let result: ExecutionResult;
        try {
          result = await this.runContainer(container, name, imageId, uid, choice, request, archive, log, signal, steps, credentials);
        } finally {
          // The egress proxy closes only after its container is gone; otherwise the removal is off the critical path.
          if (egress) await this.removeContainer(container.id, log, 'finished');
          else {
            uidHandedOff = true;
            this.inBackground(this.removeContainer(container.id, log, 'finished').finally(() => this.uids.release(uid)));
          }
        }
        const final = egress ? withEgressLog(result, await egress.close()) : result;
        const record: ExecutionAttempt = {
          ...current,
          phase: 'finished',
          outcome: 'completed',
          endedAt: new Date().toISOString(),
          ...(final.egress ? { egressAttempts: final.egress.length + (final.egressOmitted ?? 0) } : {}),
        };
        const withAttempts: ExecutionResult = { ...final, attempts: [...earlier, record] };
        await journal({ phase: 'finished', containerId: container.id, ...(record.startedAt ? { startedAt: record.startedAt } : {}), endedAt: record.endedAt, result: withAttempts });
        return withAttempts;
      } finally {
        if (!uidHandedOff) this.uids.release(uid);
        await egress?.close();
      }
    } finally {
      clearInterval(heartbeat);
    }
  }

  private async runContainer(
    container: Docker.Container,
    containerName: string,
    imageId: string,
    uid: number,
    choice: RuntimeChoice,
    request: ExecutionRequest,
    archive: Buffer,
    log: Logger,
    signal: AbortSignal | undefined,
    steps: AttemptSteps,
    secretValues: readonly SecretValue[] = [],
  ): Promise<ExecutionResult> {
    const { limits } = request;
    const stdout = new CappedOutputCollector(limits.outputBytes);
    const stderr = new CappedOutputCollector(limits.outputBytes);
    const aborted = abortion(signal);
    const sampler = new UsageSampler(container);
    const user = sandboxUser(uid);
    let timeoutTimer: NodeJS.Timeout | undefined;
    let timedOut = false;
    try {
      // The code goes in as a file while the container is created but not started; never as a shell string.
      await Promise.race([container.putArchive(archive, { path: CODE_DIR }), aborted.promise]);
      await Promise.race([steps.starting(), aborted.promise]);
      await Promise.race([container.start(), aborted.promise]);
      if (request.files && Object.keys(request.files).length > 0) {
        await Promise.race([this.unpackInputFiles(container, user), aborted.promise]);
      }

      sampler.start();
      const startedAt = Date.now();
      timeoutTimer = setTimeout(() => {
        timedOut = true;
        log.info({ timeoutSec: limits.timeoutSec }, 'sandbox timed out; killing the container');
        // Measure first (briefly): the cgroup goes with the container.
        void Promise.race([sampler.sample(), delay(TIMEOUT_SAMPLE_MS)]).then(() =>
          container.kill().catch((err: unknown) => log.debug({ err }, 'kill after timeout failed')),
        );
      }, limits.timeoutSec * 1000);

      void reachFaultPoint('exec', request.runId, containerName);
      const run = await Promise.race([
        runExec(this.docker, container, {
          cmd: codeCommand(request.language),
          user,
          workingDir: WORKSPACE_DIR,
          stdout: collectorSink(stdout),
          stderr: collectorSink(stderr),
        }),
        aborted.promise,
      ]);
      const durationMs = Date.now() - startedAt;
      clearTimeout(timeoutTimer);
      // Cumulative cgroup figures: exact while the container (now idle) is still up.
      await sampler.sample();
      const usage = await sampler.stop();
      // Masked before anything is stored: the artifact store, the journal and history only ever see the masked bytes.
      const stdoutCapture = maskCapture(stdout.finish(), secretValues, 'stdout');
      const stderrCapture = maskCapture(stderr.finish(), secretValues, 'stderr');
      await Promise.all([
        this.artifactStore.put(stdoutCapture.bytes),
        this.artifactStore.put(stderrCapture.bytes),
      ]);
      const exitInfo = await container.inspect();

      // The exec has no status when the container died under it (gVisor ends the whole sandbox on out-of-memory).
      const exitCode = run.exitCode ?? (exitInfo.State.Running ? null : typeof exitInfo.State.ExitCode === 'number' ? exitInfo.State.ExitCode : null);
      const oomKilled = exitInfo.State.OOMKilled === true || (exitCode === 137 && !timedOut && usage.memoryLimitReached);
      // Before anything is saved: an end that is not the code's own must not become its final result.
      const end = {
        execExitCode: run.exitCode,
        containerRunning: exitInfo.State.Running,
        ...(typeof exitInfo.State.ExitCode === 'number' && !exitInfo.State.Running ? { containerExitCode: exitInfo.State.ExitCode } : {}),
        timedOut,
        oomKilled,
        memoryLimitReached: usage.memoryLimitReached,
      };
      if (endedUnderCode(end)) {
        throw new ContainerEndedUnderCodeError(containerName, {
          exitCode: exitInfo.State.ExitCode,
          finishedAt: exitInfo.State.FinishedAt,
          ...(exitInfo.State.Error ? { error: exitInfo.State.Error } : {}),
        });
      }
      const resultWith = (outputs: Pick<CollectedOutputs, 'outputFiles' | 'skippedOutputs' | 'maskedSecrets'> | undefined): ExecutionResult => {
        const maskedSecrets = [...stdoutCapture.masked, ...stderrCapture.masked, ...(outputs?.maskedSecrets ?? [])];
        const limitsHit: LimitKind[] = [];
        if (timedOut) limitsHit.push('timeout');
        if (oomKilled || usage.memoryLimitReached) limitsHit.push('memory');
        if (usage.pidsLimitReached) limitsHit.push('pids');
        if (stdoutCapture.output.truncated || stderrCapture.output.truncated) limitsHit.push('output');
        return {
          exitCode,
          stdout: stdoutCapture.output,
          stderr: stderrCapture.output,
          timedOut,
          oomKilled,
          durationMs,
          sandbox: {
            containerId: container.id,
            containerName,
            image: this.image,
            imageId,
            runtime: exitInfo.HostConfig.Runtime ?? 'runc',
            limits,
            isolation: choice.isolation,
            ...(choice.fallback ? { isolationFallback: choice.fallback } : {}),
          },
          usage: { wallMs: durationMs, cpuMs: usage.cpuMs, peakMemoryBytes: usage.peakMemoryBytes, limitsHit },
          ...(outputs ? { outputFiles: outputs.outputFiles, skippedOutputs: outputs.skippedOutputs } : {}),
          ...(maskedSecrets.length > 0 ? { maskedSecrets } : {}),
        };
      };
      // Saved before outputs are collected: a retry after a crash from here on returns this instead of running again.
      await steps.exited(
        resultWith(
          request.outputs
            ? { outputFiles: [], skippedOutputs: [{ path: request.outputs.join(' '), reason: 'not collected: the worker was lost after the code ended' }] }
            : undefined,
        ),
      );
      await reachFaultPoint('exited', request.runId, containerName);

      const outputs = request.outputs
        ? timedOut
          ? { outputFiles: [], skippedOutputs: [{ path: request.outputs.join(' '), reason: 'not collected: the code timed out' }] }
          : await Promise.race([
              Promise.all([
                collectOutputs({
                  docker: this.docker,
                  container,
                  globs: request.outputs,
                  user,
                  workingDir: WORKSPACE_DIR,
                  artifactStore: this.artifactStore,
                  ...(secretValues.length > 0 ? { secrets: secretValues } : {}),
                }),
                reachFaultPoint('collecting', request.runId, containerName),
              ]).then(([collected]) => collected),
              delay(COLLECT_TIMEOUT_MS).then(() => ({
                outputFiles: [],
                skippedOutputs: [{ path: request.outputs!.join(' '), reason: 'not collected: collection took too long' }],
              })),
              aborted.promise,
            ])
        : undefined;

      const result = resultWith(outputs);
      if (result.maskedSecrets) log.warn({ maskedSecrets: result.maskedSecrets }, 'secret values found in the output were masked');
      log.info(
        {
          exitCode: result.exitCode,
          timedOut,
          oomKilled: result.oomKilled,
          durationMs,
          usage: result.usage,
          stdoutBytes: result.stdout.bytes,
          stderrBytes: result.stderr.bytes,
          outputFiles: outputs?.outputFiles.length,
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
      await sampler.stop();
    }
  }

  /** Writes the input files under /workspace, as the sandbox user, before the code starts. */
  private async unpackInputFiles(container: Docker.Container, user: string): Promise<void> {
    const errors = new CappedOutputCollector(4096);
    const { exitCode } = await runExec(this.docker, container, {
      // Under the launcher like every exec (gVisor applies the container's profile to its first process only).
      cmd: launched([...HELPER_PYTHON, `${CODE_DIR}/${HELPER_FILE_NAME}`, 'unpack']),
      user,
      workingDir: WORKSPACE_DIR,
      env: HELPER_ENV,
      stdout: collectorSink(new CappedOutputCollector(0)),
      stderr: collectorSink(errors),
    });
    if (exitCode !== 0) throw new InputFilesError(errors.bytes().toString('utf8').trim().split('\n').pop() ?? '');
  }

  /** The runtime for the requested isolation level; the engine's runtimes are asked for once and remembered. */
  private async chooseRuntime(request: ExecutionRequest): Promise<RuntimeChoice> {
    const requested = request.isolation ?? 'standard';
    if (requested === 'standard') return { runtime: this.runtime, isolation: 'standard' };
    this.engineRuntimes ??= this.docker.info().then((info: { Runtimes?: Record<string, unknown> }) => Object.keys(info.Runtimes ?? {}));
    let engineRuntimes: string[];
    try {
      engineRuntimes = await this.engineRuntimes;
    } catch (err) {
      this.engineRuntimes = undefined; // ask again next time
      throw err;
    }
    return chooseRuntime({
      requested,
      whenStrongUnavailable: request.whenStrongUnavailable,
      engineRuntimes,
      standardRuntime: this.runtime,
      strongRuntime: this.strongRuntime,
    });
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
  /** This worker's unused code volumes of one action (none of them can belong to a live container of its own). */
  private async removeUnusedVolumes(runId: string, actionId: string, log: Logger): Promise<void> {
    const labels = [MANAGED_LABEL_FILTER, `${LABELS.runId}=${runId}`, `${LABELS.actionId}=${actionId}`, `${LABELS.owner}=${formatOwner({ instance: this.instanceId })}`];
    try {
      await removeUnusedVolumesPatiently(this.docker, labels);
    } catch (err) {
      log.warn({ err }, 'could not remove the code volume of a failed container create; the reaper will');
    }
  }

  private async removeContainer(idOrName: string, log: Logger, why: string): Promise<void> {
    try {
      await removeContainerPatiently(this.docker, idOrName);
      log.debug({ container: idOrName, why }, 'sandbox container removed');
    } catch (err) {
      log.error({ err, container: idOrName, why }, 'could not remove sandbox container; the reaper will retry');
      if (why === 'earlier attempt') throw err;
    }
  }
}
