/**
 * The typed SDK agent services (and the CLI) use to talk to Airlock: start runs, submit actions, wait for them,
 * list and audit through the agentRun workflow's messages, and decide through the HTTP API (the deciding service
 * signs decisions; a decision sent to Temporal directly never counts). This module adds input validation and typed
 * errors; waits are long-lived `awaitActions` updates the workflow answers when the actions get there.
 */
import {
  Client,
  Connection,
  isGrpcDeadlineError,
  WorkflowExecutionAlreadyStartedError,
  WorkflowFailedError,
  WorkflowUpdateFailedError,
  WithStartWorkflowOperation,
  type WorkflowHandle,
  type WorkflowStartOptions,
} from '@temporalio/client';
import type { DataConverter, PayloadCodec } from '@temporalio/common';
import { z } from 'zod';
import { ActionInputSchema, type ActionInput } from '../schemas/action.js';
import { DecisionInputSchema, type DecisionInput, type DecisionOutcome } from '../schemas/decision.js';
import type { DecisionSignature } from '../schemas/signed-decision.js';
import { IdentitySchema, StartRunInputSchema, type RunState, type StartRunInput, type SubmitActionResult } from '../schemas/run.js';
import type { AwaitActionsInput, AwaitActionsResult } from '../schemas/action-wait.js';
import {
  awaitActionsUpdate,
  closeSignal,
  closeUpdate,
  decideUpdate,
  decisionRefusedSignal,
  getRunQuery,
  submitActionUpdate,
  WORKFLOW_TYPE,
} from '../workflows/messages.js';
import { AGENT_ATTRIBUTE, AWAITING_APPROVAL_ATTRIBUTE, STATUS_ATTRIBUTE } from '../workflows/search-attributes.js';
import { otlpTracesConfigured } from '../platform/telemetry/otel-env.js';
import { dataConverterFromEnv } from '../platform/codec-keys.js';
import { ConfigError, type AirlockConfig } from '../platform/config.js';
import { temporalConnectionOptions } from '../platform/temporal-tls.js';
import { AirlockApiClient, apiUrlOf, type ApiDecision } from './api-client.js';
import { decodeHistoryEvents, type RawHistoryEvent } from './audit-events.js';
import { auditSinceQuery, decisionLines, type AuditDecisionLine } from './audit-export.js';
import { buildAuditReport, type AuditReport } from './audit-report.js';
import { verifyHistorySignatures, type SignatureVerification } from './audit-verify.js';
import {
  ActionRefusedError,
  DecisionRefusedError,
  InputError,
  RunNotFoundError,
  RunUnresponsiveError,
  TemporalUnavailableError,
  WaitTimeoutError,
} from './errors.js';
import { hydrateRunOutputs, type ArtifactReader } from './hydrate-outputs.js';
import { buildListQuery, DEFAULT_LIST_LIMIT, summarizeExecution, type ListRunsFilter, type RunSummary } from './list-query.js';
import { countEncryptedPayloads, decodeHistoryPayloads } from './history-codec.js';
import { IdempotencyKeySchema } from '../schemas/idempotency.js';
import { runIdForIdempotencyKey, submitUpdateIdForIdempotencyKey } from './idempotency.js';
import { generateRunId } from './run-id.js';
import { runStaticDetails, runStaticSummary } from './run-metadata.js';
import { isUnknownUpdate, isWorkflowNotFound, rethrowNotFound, updateRejectionReason } from './temporal-errors.js';
import { actionsReached, unknownActionIds, type WaitUntil } from './wait-condition.js';

/** How long `connect` waits for the server before giving up: long enough for a busy dev server, short for a typo. */
export const CONNECT_TIMEOUT_MS = 4_000;
/** A query waits for a worker to answer; without one it would wait forever. */
export const QUERY_TIMEOUT_MS = 10_000;
/** How long `auditDecisionsSince` waits for each running run's state before using its history alone. */
export const EXPORT_QUERY_TIMEOUT_MS = 2_000;
/** How long reporting a refused decision back to its run may take (the person is waiting for the answer). */
const REPORT_TIMEOUT_MS = 2_000;
/** Poll interval of `waitForActions` for runs whose workflow code predates the `awaitActions` update. */
export const WAIT_POLL_INTERVAL_MS = 300;

export interface ConnectOptions {
  /** Overrides CONNECT_TIMEOUT_MS. */
  connectTimeoutMs?: number;
  /** Where full outputs are read from; defaults to the file store under `<home>/artifacts`. */
  artifacts?: ArtifactReader;
  /** Payload encryption and the like; from AIRLOCK_CODEC_KEYS in the environment when omitted (must match the workers'). */
  dataConverter?: DataConverter;
}

/** A decision as the deciding service forwards it: always with its signature. */
export type SignedDecisionInput = DecisionInput & { signature: DecisionSignature };

export interface WaitForActionsOptions {
  /** Actions to watch; all of the run's when omitted. */
  actionIds?: string[];
  until: WaitUntil;
  /** Give up (WaitTimeoutError) after this long; unbounded when omitted. */
  timeoutMs?: number;
  /** Stops waiting early (the promise rejects with the signal's reason). */
  signal?: AbortSignal;
}

export interface RunAndWaitOptions {
  /** The run's id (generated when omitted); not with `idempotencyKey`. */
  runId?: string;
  /** As for startRun: a retry with the same key waits for the run the first call started instead of starting one. */
  idempotencyKey?: string;
  /** Give up (WaitTimeoutError; the run goes on) after this long; unbounded when omitted. */
  timeoutMs?: number;
  /** Stops waiting early (the promise rejects with the signal's reason; the run goes on). */
  signal?: AbortSignal;
}

function parseIdempotencyKey(key: string | undefined): string | undefined {
  if (key === undefined) return undefined;
  const parsed = IdempotencyKeySchema.safeParse(key);
  if (!parsed.success) throw new InputError(`invalid idempotency key: ${formatZodError(parsed.error)}`);
  return parsed.data;
}

function formatZodError(error: z.ZodError): string {
  return z.prettifyError(error).replace(/\n/g, '; ');
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** A connected Airlock client. Create with `AirlockClient.connect(config)`, release with `disconnect()`. */
export class AirlockClient {
  private artifactReader: ArtifactReader | undefined;

  private constructor(
    private readonly connection: Connection,
    private readonly client: Client,
    private readonly config: AirlockConfig,
    artifacts: ArtifactReader | undefined,
    /** Decrypt the payloads of fetched histories (the client decodes everything else itself). */
    private readonly payloadCodecs: readonly PayloadCodec[],
  ) {
    this.artifactReader = artifacts;
  }

  /**
   * Connects to Temporal at `config.TEMPORAL_ADDRESS` (over TLS when `TEMPORAL_TLS_*` are set), waiting a few
   * seconds at most.
   * @throws TemporalTlsError when the TLS settings are incomplete or their files unusable.
   * @throws TemporalUnavailableError when the server does not answer in time or refuses the TLS handshake.
   */
  static async connect(config: AirlockConfig, options: ConnectOptions = {}): Promise<AirlockClient> {
    // TLS settings are checked first: a missing key file is a configuration error, not an unreachable server.
    const target = temporalConnectionOptions(config);
    let connection: Connection;
    try {
      connection = await Connection.connect({ ...target, connectTimeout: options.connectTimeoutMs ?? CONNECT_TIMEOUT_MS });
    } catch (err) {
      throw new TemporalUnavailableError(config.TEMPORAL_ADDRESS, { cause: err, tls: target.tls !== undefined });
    }
    const dataConverter = options.dataConverter ?? dataConverterFromEnv();
    // With OTEL_EXPORTER_OTLP_* set, runs started here continue the caller's trace (and start one otherwise).
    const tracing = otlpTracesConfigured(process.env)
      ? await (await import('../platform/telemetry/tracing.js')).tracingFromEnv()
      : undefined;
    const client = new Client({
      connection,
      namespace: config.TEMPORAL_NAMESPACE,
      dataConverter,
      ...(tracing ? { interceptors: { workflow: tracing.clientInterceptors() } } : {}),
    });
    return new AirlockClient(connection, client, config, options.artifacts, dataConverter.payloadCodecs ?? []);
  }

  /** Closes the connection to Temporal. */
  async disconnect(): Promise<void> {
    await this.connection.close();
  }

  private handle(runId: string): WorkflowHandle {
    return this.client.workflow.getHandle(runId);
  }

  /**
   * Starts a run (an agentRun workflow) on the configured task queue. With an `idempotencyKey`, the run id is
   * derived from the requester and the key, so a retried start returns the run the first start created (running or
   * finished) and never starts a second one.
   * @throws InputError when the input does not pass StartRunInputSchema, or the key is not a valid key.
   */
  async startRun(input: StartRunInput, options: { runId?: string; idempotencyKey?: string } = {}): Promise<{ runId: string }> {
    const { runId, keyed, start } = this.startOptionsOf(input, options);
    try {
      await this.client.workflow.start(WORKFLOW_TYPE, {
        ...start,
        // A keyed start that finds its run (still going, or already finished) has done its job.
        ...(keyed ? { workflowIdConflictPolicy: 'USE_EXISTING' as const, workflowIdReusePolicy: 'REJECT_DUPLICATE' as const } : {}),
      });
    } catch (err) {
      if (!(keyed && err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    }
    return { runId };
  }

  /**
   * A one-shot run in one request: starts a run of `input.actions` that closes when they are done and waits for
   * all of them to finish (update-with-start: the start and the `awaitActions` update travel together, and the
   * answer comes when the last action is final). Returns the run's state then, outputs as previews
   * (`hydrateOutputs` reads them in full). An action that needs a human waits for one (or for its approval timeout).
   * @throws InputError when the input is invalid or has no action; WaitTimeoutError when `timeoutMs` passes first.
   */
  async runAndWait(input: StartRunInput, options: RunAndWaitOptions = {}): Promise<RunState> {
    const { runId, keyed, start } = this.startOptionsOf({ ...input, closeWhenDone: true }, options);
    if (start.args[0].actions.length === 0) throw new InputError('runAndWait needs at least one action to run');
    const wait: AwaitActionsInput = { until: 'final', ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}) };
    const startWorkflowOperation = new WithStartWorkflowOperation(WORKFLOW_TYPE, {
      ...start,
      // Keyed: a retry attaches to the run the first call started and waits for it; unkeyed ids are fresh.
      workflowIdConflictPolicy: keyed ? 'USE_EXISTING' : 'FAIL',
      ...(keyed ? { workflowIdReusePolicy: 'REJECT_DUPLICATE' as const } : {}),
    });
    let answer: AwaitActionsResult;
    try {
      answer = await this.cancellable(options.signal, () =>
        this.client.workflow.executeUpdateWithStart(awaitActionsUpdate, { args: [wait], startWorkflowOperation }),
      );
    } catch (err) {
      // A keyed retry of a run that has already finished: its result is the answer.
      if (keyed && err instanceof WorkflowExecutionAlreadyStartedError) return this.waitForRun(runId);
      throw err;
    }
    if (!answer.reached) throw new WaitTimeoutError(runId, options.timeoutMs ?? 0);
    return answer.state;
  }

  /** The validated start input and the workflow options every start uses (id, queue, Web UI summary, search attributes). */
  private startOptionsOf(input: StartRunInput, options: { runId?: string; idempotencyKey?: string }) {
    const parsed = StartRunInputSchema.safeParse(input);
    if (!parsed.success) throw new InputError(formatZodError(parsed.error));
    const key = parseIdempotencyKey(options.idempotencyKey);
    if (key !== undefined && options.runId !== undefined) throw new InputError('give either a run id or an idempotency key, not both');
    const runId = key !== undefined ? runIdForIdempotencyKey(parsed.data.requester, key) : (options.runId ?? generateRunId());
    const start = {
      workflowId: runId,
      taskQueue: this.config.AIRLOCK_TASK_QUEUE,
      args: [parsed.data] as [typeof parsed.data],
      // What the Temporal Web UI shows at the top of the run: who asked for what.
      staticSummary: runStaticSummary(parsed.data),
      staticDetails: runStaticDetails(parsed.data),
      // Set at start so the run is listable before the workflow's first task runs.
      typedSearchAttributes: [
        { key: AGENT_ATTRIBUTE, value: parsed.data.agent },
        { key: STATUS_ATTRIBUTE, value: 'running' },
        { key: AWAITING_APPROVAL_ATTRIBUTE, value: false },
      ],
    } satisfies WorkflowStartOptions;
    return { runId, keyed: key !== undefined, start };
  }

  /** Runs a Temporal call that `signal` can abandon (the call's promise rejects with the signal's reason). */
  private cancellable<T>(signal: AbortSignal | undefined, call: () => Promise<T>): Promise<T> {
    if (!signal) return call();
    if (signal.aborted) return Promise.reject(signal.reason as Error);
    return this.connection.withAbortSignal(signal, call).catch((err: unknown) => {
      throw signal.aborted ? signal.reason : err;
    });
  }

  /**
   * Adds an action to an open run; resolves once the workflow has accepted it. With an `idempotencyKey`, a retried
   * submit returns the first submit's action id instead of adding the action again (within one workflow execution;
   * a run that continued as new in between has forgotten the key).
   * @throws ActionRefusedError when the workflow refuses it (closed run, invalid action).
   */
  async submitAction(runId: string, action: ActionInput, options: { idempotencyKey?: string } = {}): Promise<SubmitActionResult> {
    const parsed = ActionInputSchema.safeParse(action);
    if (!parsed.success) throw new InputError(formatZodError(parsed.error));
    const key = parseIdempotencyKey(options.idempotencyKey);
    try {
      return await this.handle(runId).executeUpdate(submitActionUpdate, {
        args: [parsed.data],
        // Temporal answers a repeated update id with the first outcome: a retried submit never adds a second action.
        ...(key !== undefined ? { updateId: submitUpdateIdForIdempotencyKey(key) } : {}),
      });
    } catch (err) {
      const reason = updateRejectionReason(err);
      if (reason !== undefined) throw new ActionRefusedError(runId, reason, { cause: err });
      if (isWorkflowNotFound(err)) await this.refuseIfRunEnded(runId, err, (why) => new ActionRefusedError(runId, why));
      throw err;
    }
  }

  /**
   * The run's current state. A running run answers the getRun query; a completed one is read from its result.
   * @throws RunNotFoundError for an unknown run id.
   */
  async getRun(runId: string): Promise<RunState> {
    const handle = this.handle(runId);
    let statusName: string;
    try {
      statusName = (await handle.describe()).status.name;
    } catch (err) {
      rethrowNotFound(runId, err);
    }
    if (statusName === 'COMPLETED') {
      try {
        return (await handle.result()) as RunState;
      } catch {
        // Continued-as-new chains and the like: the query still knows the answer.
      }
    }
    return this.queryRun(runId);
  }

  /** The getRun query, bounded: a run whose workers are all down answers with RunUnresponsiveError. */
  private async queryRun(runId: string, timeoutMs = QUERY_TIMEOUT_MS): Promise<RunState> {
    try {
      return await this.connection.withDeadline(Date.now() + timeoutMs, () => this.handle(runId).query(getRunQuery));
    } catch (err) {
      if (isGrpcDeadlineError(err)) {
        throw new RunUnresponsiveError(runId, this.config.AIRLOCK_TASK_QUEUE, timeoutMs, { cause: err });
      }
      rethrowNotFound(runId, err);
    }
  }

  /** Waits until the run ends and returns its final state. */
  async waitForRun(runId: string): Promise<RunState> {
    try {
      return (await this.handle(runId).result()) as RunState;
    } catch (err) {
      if (err instanceof WorkflowFailedError) return this.getRun(runId);
      rethrowNotFound(runId, err);
    }
  }

  /**
   * Waits until the selected actions reach `until` (see WaitUntil), and returns the state then. The workflow answers
   * an `awaitActions` update the moment they get there; runs whose workflow code predates that update (or that have
   * already ended) are read with the getRun query instead.
   * @throws WaitTimeoutError when `timeoutMs` passes first; InputError for action ids the run does not have.
   */
  async waitForActions(runId: string, options: WaitForActionsOptions): Promise<RunState> {
    const wait: AwaitActionsInput = {
      until: options.until,
      ...(options.actionIds !== undefined ? { actionIds: options.actionIds } : {}),
      ...(options.timeoutMs !== undefined ? { timeoutMs: Math.max(1, Math.ceil(options.timeoutMs)) } : {}),
    };
    let answer: AwaitActionsResult;
    try {
      answer = await this.cancellable(options.signal, () => this.handle(runId).executeUpdate(awaitActionsUpdate, { args: [wait] }));
    } catch (err) {
      if (isUnknownUpdate(err) || isWorkflowNotFound(err)) return this.pollForActions(runId, options);
      const reason = updateRejectionReason(err);
      if (reason !== undefined) throw new InputError(reason, { cause: err });
      throw err;
    }
    if (!answer.reached) throw new WaitTimeoutError(runId, options.timeoutMs ?? 0);
    return answer.state;
  }

  /** The wait for runs without the `awaitActions` update: the getRun query every WAIT_POLL_INTERVAL_MS. */
  private async pollForActions(runId: string, options: WaitForActionsOptions): Promise<RunState> {
    const deadline = options.timeoutMs === undefined ? Infinity : Date.now() + options.timeoutMs;
    for (;;) {
      const state = await this.getRun(runId);
      const unknown = unknownActionIds(state, options.actionIds);
      if (unknown.length > 0) throw new InputError(`run ${runId} has no action ${unknown.join(', ')}`);
      if (actionsReached(state, options.actionIds, options.until)) return state;
      if (Date.now() + WAIT_POLL_INTERVAL_MS > deadline) {
        throw new WaitTimeoutError(runId, options.timeoutMs ?? 0);
      }
      await sleep(WAIT_POLL_INTERVAL_MS, options.signal);
    }
  }

  /**
   * Approves or denies an action as the principal of the API token (AIRLOCK_TOKEN, or `options.token`) through the
   * HTTP API at AIRLOCK_API_URL, and returns where it stands afterwards. The API signs the decision; only then can
   * the workflow count it.
   * @throws DecisionRefusedError with the workflow's reason; NotAuthenticatedError; ForbiddenError; ApiUnavailableError.
   */
  async decide(
    runId: string,
    decision: ApiDecision,
    options: { token?: string; apiUrl?: string; timeoutMs?: number } = {},
  ): Promise<DecisionOutcome> {
    const api = new AirlockApiClient({
      url: options.apiUrl ?? apiUrlOf(this.config),
      token: options.token ?? this.config.AIRLOCK_TOKEN,
      ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
    });
    return api.decide(runId, decision);
  }

  /**
   * Transport of the deciding service (the API server): hands an already signed decision to the workflow, waiting
   * at most `timeoutMs`. The workflow counts it only if the signature verifies against its pinned policy, so
   * holding this method is not enough to approve anything.
   * @throws DecisionRefusedError with the workflow's reason; RunUnresponsiveError when the run does not answer in time.
   */
  async deliverSignedDecision(runId: string, decision: SignedDecisionInput, options: { timeoutMs: number }): Promise<DecisionOutcome> {
    const parsed = this.parseDecision(decision);
    try {
      return await this.connection.withDeadline(Date.now() + options.timeoutMs, () =>
        this.handle(runId).executeUpdate(decideUpdate, { args: [parsed] }),
      );
    } catch (err) {
      if (isGrpcDeadlineError(err)) throw new RunUnresponsiveError(runId, this.config.AIRLOCK_TASK_QUEUE, options.timeoutMs, { cause: err });
      const reason = updateRejectionReason(err);
      if (reason !== undefined) {
        await this.reportRefusedDecision(runId, parsed);
        throw new DecisionRefusedError(runId, parsed.actionId, reason, { cause: err });
      }
      if (isWorkflowNotFound(err)) {
        await this.refuseIfRunEnded(runId, err, (why) => new DecisionRefusedError(runId, parsed.actionId, why));
      }
      throw err;
    }
  }

  /**
   * Hands a refused signed decision back to the run, which records it (with its own reason) when the signature
   * verifies: a refused update leaves nothing in history otherwise. Best effort: the person hears of the refusal
   * whether or not this arrives.
   */
  private async reportRefusedDecision(runId: string, decision: DecisionInput): Promise<void> {
    try {
      await this.connection.withDeadline(Date.now() + REPORT_TIMEOUT_MS, () => this.handle(runId).signal(decisionRefusedSignal, decision));
    } catch {
      // The worker logged the refusal; the audit misses only this report.
    }
  }

  /** Stops the run accepting actions; it ends once the actions it has are finished. Returns the state then. */
  async close(runId: string): Promise<RunState> {
    try {
      return await this.handle(runId).executeUpdate(closeUpdate);
    } catch (err) {
      if (err instanceof WorkflowUpdateFailedError) throw err;
      if (!isWorkflowNotFound(err)) throw err;
      // Already ended: closing is done; answer with the final state (or RunNotFoundError).
      return this.getRun(runId);
    }
  }

  /** Fire-and-forget form of `close`. */
  async closeNoWait(runId: string): Promise<void> {
    try {
      await this.handle(runId).signal(closeSignal);
    } catch (err) {
      rethrowNotFound(runId, err);
    }
  }

  /** Runs matching the filter, newest first, from the visibility store (may lag the workflow by a moment). */
  async listRuns(filter: ListRunsFilter = {}): Promise<RunSummary[]> {
    const query = buildListQuery(filter);
    const limit = filter.limit ?? DEFAULT_LIST_LIMIT;
    const runs: RunSummary[] = [];
    for await (const info of this.client.workflow.list({ query, pageSize: Math.min(limit, 100) })) {
      runs.push(summarizeExecution(info));
      if (runs.length >= limit) break;
    }
    return runs;
  }

  /**
   * Builds the audit report of a run from its workflow history (decrypted with the codec when one is set).
   * `queryTimeoutMs` bounds the wait for a running run's own state (QUERY_TIMEOUT_MS by default).
   */
  async audit(runId: string, options: { queryTimeoutMs?: number } = {}): Promise<AuditReport> {
    const events = await this.historyEvents(runId);
    const completed = events.some((event) => event.kind === 'workflow-completed');
    // A completed run's state is in its result event; for one still going, ask it.
    const state = completed ? undefined : await this.queryRun(runId, options.queryTimeoutMs).catch(() => undefined);
    return buildAuditReport({ runId, events, state });
  }

  /**
   * Re-checks the signature of every human decision in the run's history against the signer keys the run pinned,
   * from history alone (`airlock audit --verify`).
   */
  async verifyAudit(runId: string): Promise<SignatureVerification> {
    return verifyHistorySignatures(runId, await this.historyEvents(runId));
  }

  /** The run's history (latest execution), decrypted and reduced to what the audit reads. */
  private async historyEvents(runId: string) {
    const handle = this.handle(runId);
    let history;
    try {
      // fetchHistory reports an unknown id as a raw gRPC error; describe first gives the typed one.
      await handle.describe();
      history = await handle.fetchHistory();
    } catch (err) {
      rethrowNotFound(runId, err);
    }
    // Stored history holds what the codec wrote; decrypt before reading (a no-op without encryption).
    await decodeHistoryPayloads(history, this.payloadCodecs);
    if (this.payloadCodecs.length === 0 && countEncryptedPayloads(history) > 0) {
      throw new ConfigError(`run ${runId} is encrypted: set AIRLOCK_CODEC_KEYS to the keys its workers use to audit it`);
    }
    return decodeHistoryEvents((history.events ?? []) as RawHistoryEvent[]);
  }

  /**
   * Every decision made since `since` in every run that was active then, oldest first: the audit export for log
   * pipelines (`airlock audit --since 24h --jsonl`).
   */
  async auditDecisionsSince(since: Date): Promise<AuditDecisionLine[]> {
    const lines: AuditDecisionLine[] = [];
    for await (const info of this.client.workflow.list({ query: auditSinceQuery(since) })) {
      try {
        // Runs left open by stopped workers cannot answer the state query: wait for each only briefly.
        const report = await this.audit(info.workflowId, { queryTimeoutMs: EXPORT_QUERY_TIMEOUT_MS });
        lines.push(...decisionLines(report, since.getTime()));
      } catch (err) {
        // A run deleted between listing and reading has nothing left to export.
        if (!(err instanceof RunNotFoundError)) throw err;
      }
    }
    return lines.sort((a, b) => a.at.localeCompare(b.at));
  }

  /**
   * The raw history of every agentRun execution (continued ones included) started or active since `since` (all when
   * absent), of one agent when `agent` is given, decrypted with the codec when one is set: what `airlock policy replay` re-scores.
   */
  async *executionHistories(filter: { since?: Date; agent?: string } = {}): AsyncGenerator<{ runId: string; executionRunId: string; events: RawHistoryEvent[] }> {
    const at = filter.since?.toISOString();
    const clauses = [`WorkflowType = '${WORKFLOW_TYPE}'`];
    if (at) clauses.push(`(StartTime >= '${at}' OR CloseTime >= '${at}' OR ExecutionStatus = 'Running')`);
    if (filter.agent !== undefined) {
      // Validated like `list --agent`: the id goes into a visibility query.
      if (!IdentitySchema.safeParse(filter.agent).success) throw new InputError(`invalid agent id "${filter.agent}"`);
      clauses.push(`${AGENT_ATTRIBUTE.name} = '${filter.agent}'`);
    }
    const query = clauses.join(' AND ');
    for await (const info of this.client.workflow.list({ query })) {
      const history = await this.client.workflow.getHandle(info.workflowId, info.runId).fetchHistory();
      await decodeHistoryPayloads(history, this.payloadCodecs);
      if (this.payloadCodecs.length === 0 && countEncryptedPayloads(history) > 0) {
        throw new ConfigError(`run ${info.workflowId} is encrypted: set AIRLOCK_CODEC_KEYS to the keys its workers use to replay it`);
      }
      yield { runId: info.workflowId, executionRunId: info.runId, events: (history.events ?? []) as RawHistoryEvent[] };
    }
  }

  /** Replaces output previews with the full output from the configured artifact store, where it is there. */
  async hydrateOutputs(state: RunState): Promise<RunState> {
    return hydrateRunOutputs(state, await this.artifacts());
  }

  private async artifacts(): Promise<ArtifactReader> {
    if (!this.artifactReader) {
      // Loaded on first use: clients that never hydrate do not need the store's module.
      const { createArtifactStore } = await import('../platform/artifact-store-config.js');
      this.artifactReader = await createArtifactStore({ home: this.config.home });
    }
    return this.artifactReader;
  }

  private parseDecision(decision: DecisionInput): DecisionInput {
    const parsed = DecisionInputSchema.safeParse(decision);
    if (!parsed.success) throw new InputError(formatZodError(parsed.error));
    return parsed.data;
  }

  /**
   * Temporal answers "not found" for an update to a run that has ended, as for one that never existed; tell the
   * two apart so the caller hears the right story.
   */
  private async refuseIfRunEnded(runId: string, cause: unknown, refusal: (why: string) => Error): Promise<never> {
    let ended = false;
    try {
      const description = await this.handle(runId).describe();
      ended = description.status.name !== 'RUNNING';
    } catch (err) {
      rethrowNotFound(runId, err);
    }
    if (ended) throw refusal(`run ${runId} has ended: start a new run`);
    throw cause;
  }
}
