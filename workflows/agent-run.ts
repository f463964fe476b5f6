/**
 * The agentRun workflow: one agent's session. Each action is assessed, gated (policy or humans, with a timeout that
 * denies), then run in the sandbox. Everything the audit needs is in this workflow's history. This file wires the
 * messages to the session and runs the main loop; the rules live in the modules it imports.
 */
import {
  allHandlersFinished,
  ApplicationFailure,
  condition,
  log,
  makeContinueAsNewFunc,
  patched,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { PolicySnapshot } from '../schemas/policy.js';
import { StartRunInputSchema, type RunState, type StartRunConfig, type StartRunInput } from '../schemas/run.js';
import { processAction } from './action-pipeline.js';
import { awaitActions, validateAwaitActions } from './action-waits.js';
import { carryOverOf, historyIsLong } from './carry-over.js';
import { boundCarryOver } from './run-caps.js';
import { awaitActionsUpdate, closeSignal, closeUpdate, decideSignal, decideUpdate, decisionRefusedSignal, getRunQuery, submitActionUpdate } from './messages.js';
import { publishRunStatus, startAttributes } from './run-attributes.js';
import { compactRunResult } from './run-result.js';
import { createRunServices, loadPolicy } from './run-services.js';
import { isFinal } from './run-status.js';
import { keepUpdateTracingFlag } from './update-tracing-flag.js';

/** Decision signals are checked for a signature from this patch on; older histories replay as recorded. */
const SIGNED_DECISION_SIGNALS_PATCH = 'signed-decision-signals';
/** Reports of refused decisions are kept from this patch on; a history with such a signal from older code replays as it ran. */
const REFUSAL_REPORTS_PATCH = 'refusal-reports';
/** Carry-overs before per-run caps kept every egress attempt, finding and ignored decision. */
const BOUNDED_CARRY_OVER_PATCH = 'bounded-carry-over';

export async function agentRun(rawInput: StartRunInput): Promise<RunState> {
  // Before any handler: replay must run update handlers the way they ran live (see update-tracing-flag.ts).
  keepUpdateTracingFlag();
  const input = StartRunInputSchema.parse(rawInput);
  const runId = workflowInfo().workflowId;
  // Honoured only in an execution this workflow continued into: a client cannot hand a run a policy of its own.
  const carried = workflowInfo().continuedFromExecutionRunId ? input.carryOver : undefined;
  if (input.carryOver && !carried) log.warn('carry-over ignored: the run was not continued as new', { runId });
  const { session, announcer, pipeline, callbacks } = createRunServices(input, runId, carried);

  // The start input's actions come first: an update delivered with the first workflow task must not take `a1`.
  for (const action of input.actions) session.enqueue(action);

  setHandler(getRunQuery, () => session.state);
  setHandler(submitActionUpdate, (action) => ({ actionId: session.enqueue(action) }), {
    validator: (action) => session.validateAction(action),
  });
  // Validator and handler each get the raw message; both use the one parsed value, so what is checked is recorded.
  setHandler(decideUpdate, (raw) => session.recordHumanDecision(session.parseDecision(raw).decision!), {
    validator: (raw) => {
      // Validators leave nothing in history, so updates are always checked for the deadline and a signature.
      const parsed = session.parseDecision(raw, { verify: () => true });
      if (!parsed.decision) throw new Error(`invalid decision: ${parsed.invalid.replace(/\n/g, '; ')}`);
      // The type lets channels tell "not allowed" (403) from "too late or duplicate" (409) without parsing text.
      const { decision, refusal } = parsed;
      if (!refusal) return;
      const { actionId, approver, channel } = decision;
      log.warn('decision refused', { runId, actionId, approver, channel, refusal: refusal.type });
      throw ApplicationFailure.create({ message: refusal.message, type: refusal.type, nonRetryable: true });
    },
  });
  // Signals cannot be refused: an invalid one is kept, with its reason, for the audit.
  setHandler(decideSignal, (raw) => {
    const parsed = session.parseDecision(raw, { verify: () => patched(SIGNED_DECISION_SIGNALS_PATCH) });
    if (parsed.decision && !parsed.refusal) session.recordHumanDecision(parsed.decision);
    else session.ignoreDecision(raw, parsed.decision ? parsed.refusal?.message : parsed.invalid);
  });
  // Refused updates come back from the deciding service as signed reports; only verified ones are kept.
  setHandler(decisionRefusedSignal, (raw) => {
    if (!patched(REFUSAL_REPORTS_PATCH)) return;
    const problem = session.recordRefusedDecision(raw);
    if (problem) log.warn('refusal report not kept', { runId, problem });
  });
  setHandler(closeUpdate, () => {
    session.close('closed');
    return session.state;
  });
  setHandler(closeSignal, () => session.close('closed'));
  setHandler(awaitActionsUpdate, (request) => awaitActions(session.state, request), {
    validator: (request) => validateAwaitActions(session.state, request),
  });

  upsertSearchAttributes(startAttributes({ agent: input.agent }));
  // A continued run keeps the policy it pinned when it first started.
  session.pinPolicy(carried ? carried.policy : await loadPolicy());
  callbacks.enable(session.state, input.callbackUrl, session.pinnedPolicy);

  if (input.closeWhenDone) {
    const initial = [...session.state.actions];
    void condition(() => initial.every((a) => isFinal(a.status))).then(() => session.close('done'));
  }

  const inFlight = new Set<Promise<void>>();
  /**
   * Continue-as-new only when nothing is in flight, queued or being handled and no notification is still being
   * retried, so nothing is lost. One-shot runs (closeWhenDone) close on their own instead. Reading workflowInfo()
   * adds no command: runs whose history stays short replay exactly as before.
   */
  const readyToContinueAsNew = (): boolean =>
    !input.closeWhenDone &&
    inFlight.size === 0 &&
    session.queued === 0 &&
    !session.closed &&
    !announcer.busy &&
    !callbacks.busy &&
    allHandlersFinished() &&
    historyIsLong(workflowInfo(), input.continueAsNewAfterEvents);
  for (;;) {
    const idle = inFlight.size === 0 && session.queued === 0 && !session.closed;
    if (idle && readyToContinueAsNew()) await continueAsNew(session.state, session.pinnedPolicy, input);
    const woke = idle
      ? await condition(() => session.queued > 0 || session.closed, input.idleTimeoutMs)
      : (await condition(() => session.queued > 0 || (session.closed && inFlight.size === 0) || readyToContinueAsNew()), true);
    if (!woke) session.close('idle');
    for (let action = session.dequeue(); action; action = session.dequeue()) {
      const task: Promise<void> = processAction(session, pipeline, action).finally(() => inFlight.delete(task));
      inFlight.add(task);
    }
    if (session.closed && inFlight.size === 0) break;
  }

  // Outcome updates and notifications still being retried finish before the run does.
  await announcer.drain();
  // Let in-progress update handlers reply before the run completes.
  await condition(allHandlersFinished);
  publishRunStatus(session.state, true);
  // run.closed goes out last; the run waits for its delivery workflows to start, never for the receiver.
  callbacks.publish(session.state);
  await callbacks.drain();
  return compactRunResult(session.state);
}

/**
 * Hands the run to a fresh execution under the same workflow id (clients address runs by that id, so they follow).
 * Search attributes are passed along explicitly so listings stay right.
 */
async function continueAsNew(state: RunState, policy: PolicySnapshot, input: StartRunConfig): Promise<never> {
  log.info('continuing as new', { runId: state.runId, historyLength: workflowInfo().historyLength, actions: state.actions.length });
  const { agent, requester, approvalTimeoutMs, idleTimeoutMs, continueAsNewAfterEvents, callbackUrl } = input;
  return makeContinueAsNewFunc<typeof agentRun>({ typedSearchAttributes: startAttributes(state) })({
    agent,
    requester,
    actions: [],
    closeWhenDone: false,
    ...(approvalTimeoutMs !== undefined ? { approvalTimeoutMs } : {}),
    idleTimeoutMs,
    ...(continueAsNewAfterEvents !== undefined ? { continueAsNewAfterEvents } : {}),
    ...(callbackUrl !== undefined ? { callbackUrl } : {}),
    carryOver: patched(BOUNDED_CARRY_OVER_PATCH) ? boundCarryOver(carryOverOf(state, policy)) : carryOverOf(state, policy),
  });
}
