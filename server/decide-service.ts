/**
 * The one `decide` path every network channel (API, Slack) goes through: it sends the decision to the run's
 * workflow, whose validator applies the pinned policy, and turns a refusal into an ApiError a channel can show.
 */
import type { AirlockClient } from '../client/sdk.js';
import { DecisionRefusedError, InputError, RunNotFoundError } from '../client/errors.js';
import { AUTHORISATION_REFUSALS, type DecisionRefusalType } from '../policy/gate.js';
import type { DecisionChannel, DecisionKind, DecisionOutcome } from '../schemas/decision.js';
import { ApiError } from './api-error.js';

const REFUSAL_TYPES: readonly DecisionRefusalType[] = [
  'unknown_action',
  'not_awaiting_approval',
  'timed_out',
  'policy_loading',
  'self_approval',
  'not_authorised',
  'duplicate_decision',
];

export interface DecideRequest {
  runId: string;
  actionId: string;
  decision: DecisionKind;
  /** Always the authenticated principal, never a value the caller typed. */
  approver: string;
  reason?: string;
  channel: Exclude<DecisionChannel, 'policy'>;
}

export type DecideClient = Pick<AirlockClient, 'decide' | 'getRun'>;

/** Sends the decision; resolves with the outcome or throws ApiError (403 rights, 404 unknown, 409 too late or twice). */
export async function decideThroughWorkflow(client: DecideClient, request: DecideRequest): Promise<DecisionOutcome> {
  try {
    return await client.decide(request.runId, {
      actionId: request.actionId,
      decision: request.decision,
      approver: request.approver,
      channel: request.channel,
      ...(request.reason !== undefined ? { reason: request.reason } : {}),
    });
  } catch (err) {
    if (err instanceof RunNotFoundError) throw new ApiError('not_found', err.message);
    if (err instanceof InputError) throw new ApiError('invalid_request', err.message);
    if (!(err instanceof DecisionRefusedError)) throw err;
    const type = refusalTypeOf(err);
    if (type === undefined) return await refusalForEndedRun(client, request, err);
    if (AUTHORISATION_REFUSALS.includes(type)) throw new ApiError('forbidden', err.message, type);
    if (type === 'unknown_action') throw new ApiError('not_found', err.message, type);
    throw new ApiError('conflict', err.message, type);
  }
}

/** The workflow's refusal type, carried as the ApplicationFailure type somewhere in the cause chain. */
function refusalTypeOf(err: unknown): DecisionRefusalType | undefined {
  for (let current: unknown = err, depth = 0; current && depth < 5; depth++) {
    const type = (current as { type?: unknown }).type;
    if (typeof type === 'string' && (REFUSAL_TYPES as readonly string[]).includes(type)) return type as DecisionRefusalType;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/**
 * A run that has ended cannot answer; its final state says why the decision came too late, so a click after a
 * timeout hears "already timed out" rather than a generic "run ended".
 */
async function refusalForEndedRun(client: DecideClient, request: DecideRequest, err: DecisionRefusedError): Promise<never> {
  const state = await client.getRun(request.runId).catch(() => undefined);
  const action = state?.actions.find((a) => a.actionId === request.actionId);
  if (state && !action) throw new ApiError('not_found', `run ${request.runId} has no action ${request.actionId}`, 'unknown_action');
  if (action?.status === 'timed_out') {
    throw new ApiError(
      'conflict',
      `the approval wait for action ${action.actionId} already timed out; it was denied by the policy`,
      'timed_out',
    );
  }
  if (action) {
    throw new ApiError('conflict', `action ${action.actionId} is not awaiting approval (status: ${action.status})`, 'not_awaiting_approval');
  }
  throw new ApiError('conflict', err.message);
}
