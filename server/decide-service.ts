/**
 * The deciding service: the one `decide` path every channel (API, CLI, web UI, Slack) goes through once it has
 * authenticated the person. It reads the action the person decides on, signs the decision (run, execution,
 * action, content hash, decision, principal, channel, time) with the service's key, and sends it to the run's
 * workflow, whose validator checks the signature and applies the pinned policy. Refusals become ApiErrors a channel
 * can show.
 */
import type { AirlockClient } from '../client/sdk.js';
import { DecisionRefusedError, InputError, RunNotFoundError, RunUnresponsiveError } from '../client/errors.js';
import { AUTHORISATION_REFUSALS, DECISION_REFUSAL_TYPES, type DecisionRefusalType } from '../policy/gate.js';
import { actionStatusRefusal } from '../workflows/approval-state.js';
import type { DecisionChannel, DecisionKind, DecisionOutcome } from '../schemas/decision.js';
import { ApiError } from './api-error.js';
import type { DecisionSigner } from './decision-signer.js';

/** A person's click never waits longer than this for a stalled worker. */
export const DECIDE_TIMEOUT_MS = 15_000;

export interface DecideRequest {
  runId: string;
  actionId: string;
  decision: DecisionKind;
  /** Always the authenticated principal, never a value the caller typed. */
  approver: string;
  reason?: string;
  channel: Exclude<DecisionChannel, 'policy'>;
  /** The content sha256 the person reviewed, when the channel showed it: a different action content is refused. */
  expectedContentSha256?: string;
}

export type DecideClient = Pick<AirlockClient, 'deliverSignedDecision' | 'getRun'>;

export interface DecideDeps {
  client: DecideClient;
  signer: Pick<DecisionSigner, 'sign'>;
  timeoutMs?: number;
  /** Where the service notes each decision the workflow refused (who, what, why): the refusal is not in history. */
  logger?: { warn(object: Record<string, unknown>, message: string): void };
}

/** Signs and sends the decision; resolves with the outcome or throws ApiError (403 rights, 404 unknown, 409 too late or twice). */
export async function decideThroughWorkflow(deps: DecideDeps, request: DecideRequest): Promise<DecisionOutcome> {
  const { client } = deps;
  let signature;
  try {
    const state = await client.getRun(request.runId);
    const action = state.actions.find((a) => a.actionId === request.actionId);
    if (!action) throw new ApiError('not_found', `run ${request.runId} has no action ${request.actionId}`, 'unknown_action');
    if (request.expectedContentSha256 !== undefined && request.expectedContentSha256 !== action.contentSha256) {
      throw new ApiError(
        'conflict',
        `action ${action.actionId} no longer has the content you reviewed (sha256 ${request.expectedContentSha256.slice(0, 12)}); review it again`,
        'content_changed',
      );
    }
    if (!state.executionId || !action.contentSha256) {
      throw new ApiError('conflict', `run ${request.runId} was started by an Airlock version without signed decisions; it cannot take one`, 'unsigned');
    }
    signature = deps.signer.sign({
      runId: request.runId,
      executionId: state.executionId,
      actionId: request.actionId,
      contentSha256: action.contentSha256,
      decision: request.decision,
      principal: request.approver,
      channel: request.channel,
      reason: request.reason,
    });
  } catch (err) {
    if (err instanceof RunNotFoundError) throw new ApiError('not_found', err.message);
    if (err instanceof RunUnresponsiveError) throw new ApiError('unavailable', err.message);
    throw err;
  }
  try {
    return await deliver(deps, request, signature);
  } catch (err) {
    if (err instanceof ApiError) {
      deps.logger?.warn(
        { runId: request.runId, actionId: request.actionId, approver: request.approver, channel: request.channel, decision: request.decision, refusal: err.reason ?? err.code, reason: err.message },
        'decision refused',
      );
    }
    throw err;
  }
}

/** Sends the signed decision and maps the workflow's refusal to an ApiError. */
async function deliver(deps: DecideDeps, request: DecideRequest, signature: Parameters<DecideClient['deliverSignedDecision']>[1]['signature']): Promise<DecisionOutcome> {
  const { client } = deps;
  try {
    return await client.deliverSignedDecision(
      request.runId,
      {
        actionId: request.actionId,
        decision: request.decision,
        approver: request.approver,
        channel: request.channel,
        ...(request.reason !== undefined ? { reason: request.reason } : {}),
        signature,
      },
      { timeoutMs: deps.timeoutMs ?? DECIDE_TIMEOUT_MS },
    );
  } catch (err) {
    if (err instanceof RunNotFoundError) throw new ApiError('not_found', err.message);
    if (err instanceof RunUnresponsiveError) throw new ApiError('unavailable', err.message);
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
