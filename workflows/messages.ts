/**
 * Every message the agentRun workflow understands. Other layers import these constants; message names never
 * appear as string literals anywhere else.
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { ActionInput } from '../schemas/action.js';
import type { AwaitActionsInput, AwaitActionsResult } from '../schemas/action-wait.js';
import type { DecisionInput, DecisionOutcome } from '../schemas/decision.js';
import type { RunState, SubmitActionResult } from '../schemas/run.js';

export const WORKFLOW_TYPE = 'agentRun';

/** Adds an action to an open run. Rejected (by the validator) for bad input or a closed run. */
export const submitActionUpdate = defineUpdate<SubmitActionResult, [ActionInput]>('submitAction');

/** Approves or denies an action awaiting approval; the validator refuses anything that may not count. */
export const decideUpdate = defineUpdate<DecisionOutcome, [DecisionInput]>('decide');

/** Fire-and-forget form of `decide` (same payload); invalid ones are recorded and ignored. */
export const decideSignal = defineSignal<[DecisionInput]>('decideSignal');

/**
 * The deciding service reports a signed decision whose `decide` update the validator refused, so the refusal is
 * recorded (validators leave nothing in history). The workflow keeps a report only when the signature verifies
 * and it would refuse the decision itself; it never counts one.
 */
export const decisionRefusedSignal = defineSignal<[DecisionInput]>('decisionRefused');

/** Stops accepting actions; the run ends once the actions it has are finished. */
export const closeUpdate = defineUpdate<RunState, []>('close');
export const closeSignal = defineSignal<[]>('closeSignal');

/**
 * Answers once the selected actions reach the requested state (or the wait's own timeout passes): how clients wait
 * for results without polling. Rejected (by the validator) for action ids the run does not have.
 */
export const awaitActionsUpdate = defineUpdate<AwaitActionsResult, [AwaitActionsInput]>('awaitActions');

export const getRunQuery = defineQuery<RunState>('getRun');
