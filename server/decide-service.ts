/**
 * The one `decide` path every network channel (API, Slack) goes through: it sends the decision to the run's
 * workflow, whose validator applies the pinned policy, and turns a refusal into an ApiError a channel can show.
 */
import type { AirlockClient } from '../client/sdk.js';
import { DecisionRefusedError, InputError, RunNotFoundError } from '../client/errors.js';
import { AUTHORISATION_REFUSALS, DECISION_REFUSAL_TYPES, type DecisionRefusalType } from '../policy/gate.js';
import { actionStatusRefusal } from '../workflows/approval-state.js';
import type { DecisionChannel, DecisionKind, DecisionOutcome } from '../schemas/decision.js';
import { ApiError } from './api-error.js';

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
    if (typeof type === 'string' && (DECISION_REFUSAL_TYPES as readonly string[]).includes(type)) return type as DecisionRefusalType;
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
  if (!state) throw new ApiError('conflict', err.message);
  const action = state.actions.find((a) => a.actionId === request.actionId);
  // An ended run awaits nothing, whatever its last recorded status says.
  const refusal = actionStatusRefusal(request.runId, request.actionId, action, { runEnded: true });
  if (refusal?.type === 'unknown_action') throw new ApiError('not_found', refusal.message, refusal.type);
  throw new ApiError('conflict', refusal?.message ?? err.message, refusal?.type);
}
