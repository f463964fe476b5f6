/**
 * Records the replay fixtures in test/histories/: representative agentRun executions (auto-approved,
 * human-approved, denied by a human, denied by policy, timed out, failed code, a session driven by messages, input files
 * and outputs, a limit above the policy's bounds, idle close, a close signal, a continue-as-new chain),
 * run against a real Temporal server and Docker with the CURRENT workflow code, each written as history JSON.
 * Re-record whenever the workflow changes on purpose; the replay test then guards the new shape.
 *
 *   npx tsc -p . && TEMPORAL_ADDRESS=127.0.0.1:7600 AIRLOCK_HOME=$(mktemp -d) node dist/test/histories/record-histories.js
 *
 * Histories recorded before a workflow change stay in the corpus: set AIRLOCK_HISTORY_SUFFIX (e.g. `-v2`) to write
 * `<scenario><suffix>.json` beside them instead of replacing them.
 * AIRLOCK_RECORD_ONLY=name[,name] records only those scenarios. `human-approved-after-refusal` shows the shape an
 * SDK bug leaves (workflows/update-tracing-flag.ts) and was recorded with the workflow before that fix: re-record
 * it only with that fix reverted, or it no longer shows the shape.
 *
 * `callbacks-auto-approved` pushes its events to a receiver the recorder runs on loopback; unless AIRLOCK_POLICY is
 * set, the recorder's policy is the shipped one with that host listed under `callbacks.allowHosts`.
 *
 * Histories are recorded without payload encryption (so they are readable and need no key to replay) and with the
 * workflow bundled the way production workers bundle it.
 */
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client, Connection, WithStartWorkflowOperation, type WorkflowHandle } from '@temporalio/client';
import { loadConfig } from '../../platform/config.js';
import type { ActionInput } from '../../schemas/action.js';
import type { RunState, StartRunInput } from '../../schemas/run.js';
import { createLogger } from '../../platform/logger.js';
import { runWorkers } from '../../workers/run-workers.js';
import { AirlockMetrics } from '../../platform/telemetry/metrics.js';
import { disabledTracing } from '../../platform/telemetry/tracing.js';
import { awaitActionsUpdate, closeSignal, closeUpdate, decideSignal, decideUpdate, getRunQuery, submitActionUpdate, WORKFLOW_TYPE } from '../../workflows/messages.js';
import { AGENT_ATTRIBUTE, AWAITING_APPROVAL_ATTRIBUTE, STATUS_ATTRIBUTE } from '../../workflows/search-attributes.js';
import { writeHistoryFile } from './history-file.js';
import { startWebhookReceiver } from '../support/webhook-receiver.js';

/** Where fixtures live: the source tree, not dist (this file runs from dist/test/histories/). */
export const HISTORIES_DIR = fileURLToPath(new URL('../../../test/histories/', import.meta.url));

const LOW_RISK = 'print(sum(range(10)))';
const MEDIUM_RISK = 'import subprocess\nprint(subprocess.run(["echo", "approved"], capture_output=True, text=True).stdout.strip())';
const HIGH_RISK = 'import os\nos.system("echo two-approvers")';
const CRITICAL = 'rm -rf / --no-preserve-root';
const FAILING = 'import sys\nprint("about to fail", file=sys.stderr)\nsys.exit(3)';

type Handle = WorkflowHandle;

interface Scenario {
  name: string;
  input: Omit<StartRunInput, 'agent' | 'requester' | 'callbackUrl'>;
  /** Push the run's events to the recorder's own receiver. */
  callbacks?: boolean;
  /** Start it the way runAndWait does: update-with-start, answered by `awaitActions` when its actions are final. */
  startAndAwait?: boolean;
  /** Drives the run (decisions, updates) until it has ended. */
  drive?: (handle: Handle) => Promise<void>;
}

async function waitFor(handle: Handle, predicate: (run: RunState) => boolean, what: string): Promise<RunState> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const run = await handle.query(getRunQuery);
    if (predicate(run)) return run;
    if (Date.now() > deadline) throw new Error(`${handle.workflowId}: timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

const awaiting = (actionId: string) => (run: RunState) => run.actions.find((a) => a.actionId === actionId)?.status === 'awaiting_approval';

function oneShot(action: ActionInput, extra: Partial<Scenario['input']> = {}): Scenario['input'] {
  return { actions: [action], closeWhenDone: true, ...extra };
}

const finished = (actionId: string) => (run: RunState) => ['succeeded', 'failed', 'denied'].includes(run.actions.find((a) => a.actionId === actionId)?.status ?? '');

/** Reads an input file and writes an output file; low risk (no modules), so auto-approved. */
const FILES_AND_OUTPUTS = 'text = open("in/words.txt").read()\nwith open("upper.txt", "w") as f:\n    f.write(text.upper())\nprint(len(text))';

const SCENARIOS: Scenario[] = [
  { name: 'auto-approved', input: oneShot({ language: 'python', code: LOW_RISK, task: 'sum a range' }) },
  {
    name: 'human-approved',
    input: oneShot({ language: 'python', code: MEDIUM_RISK, task: 'shell out to echo' }),
    drive: async (handle) => {
      await waitFor(handle, awaiting('a1'), 'a1 awaiting approval');
      await handle.executeUpdate(decideUpdate, { args: [{ actionId: 'a1', decision: 'approve', approver: 'bob', channel: 'cli', reason: 'fine' }] });
    },
  },
  {
    name: 'human-denied',
    input: oneShot({ language: 'python', code: MEDIUM_RISK }),
    drive: async (handle) => {
      await waitFor(handle, awaiting('a1'), 'a1 awaiting approval');
      await handle.executeUpdate(decideUpdate, { args: [{ actionId: 'a1', decision: 'deny', approver: 'bob', channel: 'api', reason: 'no shelling out' }] });
    },
  },
  {
    // A refused decision first, then an approval: the refusal's workflow task is dropped by the server, and with it
    // the SDK flag it used (see workflows/update-tracing-flag.ts). Recorded before that fix, so the flag is absent.
    name: 'human-approved-after-refusal',
    input: oneShot({ language: 'python', code: MEDIUM_RISK, task: 'shell out after a refused self-approval' }),
    drive: async (handle) => {
      await waitFor(handle, awaiting('a1'), 'a1 awaiting approval');
      const refused = await handle
        .executeUpdate(decideUpdate, { args: [{ actionId: 'a1', decision: 'approve', approver: 'alice', channel: 'api' }] })
        .then(() => false, () => true);
      if (!refused) throw new Error(`${handle.workflowId}: the requester's self-approval was not refused`);
      await handle.executeUpdate(decideUpdate, { args: [{ actionId: 'a1', decision: 'approve', approver: 'bob', channel: 'api', reason: 'fine' }] });
    },
  },
  { name: 'callbacks-auto-approved', input: oneShot({ language: 'python', code: LOW_RISK, task: 'events pushed to a callback URL' }), callbacks: true },
  { name: 'policy-denied', input: oneShot({ language: 'bash', code: CRITICAL }) },
  { name: 'timed-out', input: oneShot({ language: 'python', code: MEDIUM_RISK }, { approvalTimeoutMs: 1_500 }) },
  { name: 'failed-code', input: oneShot({ language: 'python', code: FAILING }) },
  // From the local-control-activities patch on: policy and risk as local-activity markers, waits as updates.
  { name: 'one-call-auto-approved', input: oneShot({ language: 'python', code: LOW_RISK, task: 'one call: start and wait' }), startAndAwait: true },
  {
    name: 'session-awaited',
    input: { actions: [], closeWhenDone: false },
    drive: async (handle) => {
      // A bounded wait (a timer, cancelled when the action is done) and an unbounded one (no command at all).
      await handle.executeUpdate(submitActionUpdate, { args: [{ language: 'python', code: LOW_RISK }] });
      await handle.executeUpdate(awaitActionsUpdate, { args: [{ actionIds: ['a1'], until: 'final', timeoutMs: 60_000 }] });
      await handle.executeUpdate(submitActionUpdate, { args: [{ language: 'python', code: FAILING }] });
      await handle.executeUpdate(awaitActionsUpdate, { args: [{ until: 'final' }] });
      await handle.executeUpdate(closeUpdate);
    },
  },
  {
    name: 'files-and-outputs',
    input: oneShot({ language: 'python', code: FILES_AND_OUTPUTS, files: { 'in/words.txt': 'replayed words\n' }, outputs: ['*.txt'] }),
  },
  // Above the recorder policy's limitBounds (memoryMb 2048): denied by the policy, no container.
  { name: 'limit-denied', input: oneShot({ language: 'python', code: LOW_RISK, limits: { memoryMb: 4096 } }) },
  { name: 'idle-close', input: { actions: [{ language: 'python', code: LOW_RISK }], closeWhenDone: false, idleTimeoutMs: 3_000 } },
  {
    name: 'close-signal',
    input: { actions: [], closeWhenDone: false },
    drive: async (handle) => {
      await handle.executeUpdate(submitActionUpdate, { args: [{ language: 'python', code: LOW_RISK }] });
      await waitFor(handle, finished('a1'), 'a1 finished');
      await handle.signal(closeSignal);
    },
  },
  {
    // A low threshold: the idle run continues as new after each action; every execution of the chain is recorded.
    name: 'continue-as-new-chain',
    input: { actions: [], closeWhenDone: false, continueAsNewAfterEvents: 12 },
    drive: async (handle) => {
      for (const actionId of ['a1', 'a2', 'a3']) {
        await handle.executeUpdate(submitActionUpdate, { args: [{ language: 'python', code: LOW_RISK }] });
        await waitFor(handle, finished(actionId), `${actionId} finished`);
        await waitFor(handle, (run) => run.actions.every((a) => a.carriedOver), `${actionId} carried over`);
      }
      await handle.executeUpdate(closeUpdate);
    },
  },
  {
    name: 'session-two-approvers',
    input: { actions: [], closeWhenDone: false },
    drive: async (handle) => {
      await handle.executeUpdate(submitActionUpdate, { args: [{ language: 'python', code: HIGH_RISK }] });
      await handle.executeUpdate(submitActionUpdate, { args: [{ language: 'python', code: LOW_RISK }] });
      await waitFor(handle, awaiting('a1'), 'a1 awaiting approval');
      // One invalid (self-approval) signal, kept and ignored; then two distinct approvers, by signal and update.
      await handle.signal(decideSignal, { actionId: 'a1', decision: 'approve', approver: 'alice', channel: 'api' });
      await handle.signal(decideSignal, { actionId: 'a1', decision: 'approve', approver: 'bob', channel: 'api' });
      await handle.executeUpdate(decideUpdate, { args: [{ actionId: 'a1', decision: 'approve', approver: 'carol', channel: 'cli' }] });
      await waitFor(handle, (run) => run.actions.every((a) => ['succeeded', 'failed'].includes(a.status)), 'both actions finished');
      await handle.executeUpdate(closeUpdate);
    },
  },
];

async function main(): Promise<void> {
  const logger = createLogger({ level: process.env.LOG_LEVEL ?? 'info', name: 'record-histories' });
  const taskQueue = `airlock-record-${Date.now().toString(36)}`;
  // Recording is about workflow shape: no encryption, no export, approvers open to anyone but the requester.
  const config = loadConfig({ ...process.env, AIRLOCK_TASK_QUEUE: taskQueue, AIRLOCK_APPROVERS: '', AIRLOCK_CODEC_KEYS: '' });
  const receiver = await startWebhookReceiver();
  const env = { ...process.env, AIRLOCK_CALLBACK_SECRET: 'record-histories', AIRLOCK_POLICY: process.env.AIRLOCK_POLICY ?? (await policyWithCallbacks()) };
  const abort = new AbortController();
  let ready!: () => void;
  const isReady = new Promise<void>((resolve) => (ready = resolve));
  const workers = runWorkers({
    config,
    logger,
    signal: abort.signal,
    onReady: ready,
    env,
    telemetry: { dataConverter: {}, metrics: new AirlockMetrics({ defaultMetrics: false }), tracing: disabledTracing() },
  });
  await Promise.race([isReady, workers]);
  const connection = await Connection.connect({ address: config.TEMPORAL_ADDRESS });
  const client = new Client({ connection, namespace: config.TEMPORAL_NAMESPACE });
  await mkdir(HISTORIES_DIR, { recursive: true });
  try {
    // AIRLOCK_RECORD_ONLY=name,name re-records only those fixtures and leaves the others as they are.
    const only = process.env.AIRLOCK_RECORD_ONLY?.split(',').filter(Boolean);
    for (const scenario of SCENARIOS.filter((s) => !only || only.includes(s.name))) {
      const workflowId = `history-${scenario.name}-${Date.now().toString(36)}`;
      const start = {
        taskQueue,
        workflowId,
        args: [{ agent: 'history-agent', requester: 'alice', ...scenario.input, ...(scenario.callbacks ? { callbackUrl: receiver.url } : {}) }],
        typedSearchAttributes: [
          { key: AGENT_ATTRIBUTE, value: 'history-agent' },
          { key: STATUS_ATTRIBUTE, value: 'running' },
          { key: AWAITING_APPROVAL_ATTRIBUTE, value: false },
        ],
      };
      let handle: Handle;
      let firstExecutionRunId: string;
      if (scenario.startAndAwait) {
        const startWorkflowOperation = new WithStartWorkflowOperation(WORKFLOW_TYPE, { ...start, workflowIdConflictPolicy: 'FAIL' });
        await client.workflow.executeUpdateWithStart(awaitActionsUpdate, { args: [{ until: 'final' }], startWorkflowOperation });
        handle = await startWorkflowOperation.workflowHandle();
        // The handle of an update-with-start follows the chain; the run it started is the first execution.
        firstExecutionRunId = (await handle.describe()).runId;
      } else {
        const started = await client.workflow.start(WORKFLOW_TYPE, start);
        handle = started;
        firstExecutionRunId = started.firstExecutionRunId;
      }
      await scenario.drive?.(handle);
      const result = (await handle.result()) as RunState;
      const executions = await executionHistories(client, workflowId, firstExecutionRunId);
      for (const [i, history] of executions.entries()) {
        // A chain of executions (continue-as-new) is written one file per execution: <scenario>-1.json, -2.json, ...
        const name = executions.length > 1 ? `${scenario.name}-${i + 1}` : scenario.name;
        await writeHistoryFile(`${HISTORIES_DIR}${name}${process.env.AIRLOCK_HISTORY_SUFFIX ?? ''}.json`, history);
      }
      logger.info({ scenario: scenario.name, statuses: result.actions.map((a) => a.status), executions: executions.length }, 'history recorded');
    }
  } finally {
    await connection.close();
    abort.abort();
    await workers;
    await receiver.close();
  }
}

/** Every execution of a run, first to last, following its continue-as-new links. */
async function executionHistories(client: Client, workflowId: string, firstRunId: string) {
  const histories = [];
  for (let runId: string | undefined = firstRunId; runId; ) {
    const history = await client.workflow.getHandle(workflowId, runId).fetchHistory();
    histories.push(history);
    const last = history.events?.at(-1);
    runId = last?.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId ?? undefined;
  }
  return histories;
}

/** The shipped policy with loopback listed as a callback host and a memory bound, in a temporary file. */
async function policyWithCallbacks(): Promise<string> {
  const shipped = await readFile(fileURLToPath(new URL('../../../airlock.policy.yaml', import.meta.url)), 'utf8');
  const file = path.join(await mkdtemp(path.join(tmpdir(), 'airlock-record-')), 'airlock.policy.yaml');
  await writeFile(file, `${shipped}\ncallbacks:\n  allowHosts: [127.0.0.1]\nlimitBounds:\n  memoryMb: 2048\n`);
  return file;
}

main().catch((err: unknown) => {
  process.stderr.write(`recording failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
