/**
 * `POST /slack/interactions`: verifies Slack's request signature (Slack's own helper: v0 scheme, 5-minute window,
 * constant-time comparison), maps the Slack user to a principal through the policy, and sends the click through
 * the same decide path as the API. Refusals are shown to the clicker only (ephemeral messages).
 */
import { verifySlackRequest } from '@slack/bolt';
import type { Logger } from 'pino';
import { decideThroughWorkflow, type DecideDeps } from '../decide-service.js';
import { ApiError } from '../api-error.js';
import { decodeButtonValue, SLACK_ACTION_IDS } from '../../channels/slack/button-value.js';
import { BlockActionsPayloadSchema } from './interaction-payload.js';
import type { ReplayGuard } from './replay-guard.js';
import type { SlackApi } from '../../channels/slack/slack-api.js';

/** Slack's signature window (v0 scheme): requests older (or newer) than this are refused. */
export const SIGNATURE_WINDOW_MS = 5 * 60_000;

export interface SlackInteractionDeps {
  signingSecret: string;
  api: SlackApi;
  /** The deciding service: signs the click as the mapped principal and sends it to the workflow. */
  decider: DecideDeps;
  /** The principal a Slack user id maps to under the current policy, if any. */
  principalForSlackUser: (slackUserId: string) => string | undefined;
  replayGuard: ReplayGuard;
  logger: Logger;
}

export interface SlackRequest {
  rawBody: string;
  signature: string | undefined;
  timestamp: string | undefined;
}

/** What the route answers: 401 for a bad signature, 400 for a malformed payload, otherwise 200. */
export type SlackReply = { status: 200 } | { status: 400 | 401; message: string };

export async function handleSlackInteraction(deps: SlackInteractionDeps, request: SlackRequest): Promise<SlackReply> {
  // Slack's helper refuses old timestamps; one from the future is refused here, so the window holds both ways.
  const timestampSec = Number(request.timestamp);
  if (Number.isFinite(timestampSec) && timestampSec * 1_000 - Date.now() > SIGNATURE_WINDOW_MS) {
    return { status: 401, message: 'the Slack request timestamp is too far in the future' };
  }
  try {
    verifySlackRequest({
      signingSecret: deps.signingSecret,
      body: request.rawBody,
      headers: { 'x-slack-signature': request.signature ?? '', 'x-slack-request-timestamp': timestampSec },
    });
  } catch (err) {
    deps.logger.warn({ reason: (err as Error).message }, 'Slack request refused: signature check failed');
    return { status: 401, message: 'the Slack request signature is missing, invalid or too old' };
  }
  if (!deps.replayGuard.firstSeen(request.signature ?? '')) {
    deps.logger.info('replayed Slack request acknowledged without acting');
    return { status: 200 };
  }

  const form = new URLSearchParams(request.rawBody);
  let payload;
  try {
    payload = BlockActionsPayloadSchema.safeParse(JSON.parse(form.get('payload') ?? ''));
  } catch {
    return { status: 400, message: 'the payload field is not JSON' };
  }
  // Other interaction types (shortcuts, view submissions) are not Airlock's; acknowledge and ignore them.
  if (!payload.success) return { status: 200 };
  const { user, actions } = payload.data;
  const channel = payload.data.channel?.id ?? payload.data.container?.channel_id;
  const click = actions[0]!;
  const decision =
    click.action_id === SLACK_ACTION_IDS.approve ? 'approve' : click.action_id === SLACK_ACTION_IDS.deny ? 'deny' : undefined;
  const target = click.value ? decodeButtonValue(click.value) : undefined;
  if (!decision || !target) return { status: 200 };

  const tell = async (text: string) => {
    if (!channel) return;
    await deps.api.postEphemeral({ channel, user: user.id, text }).catch((err: unknown) => {
      deps.logger.warn({ err }, 'could not post an ephemeral Slack reply');
    });
  };

  const principal = deps.principalForSlackUser(user.id);
  if (!principal) {
    await tell('Your Slack account is not linked to an Airlock principal (slackUserId in the policy), so you cannot decide.');
    return { status: 200 };
  }
  const log = deps.logger.child({ runId: target.runId, actionId: target.actionId, principal });
  try {
    const outcome = await decideThroughWorkflow(deps.decider, { ...target, decision, approver: principal, channel: 'slack' });
    log.info({ decision, status: outcome.status }, 'Slack decision counted');
    if (outcome.status === 'awaiting_approval') {
      await tell(`Your approval counted: ${outcome.approvals} of ${outcome.requiredApprovals} approvals so far.`);
    }
  } catch (err) {
    if (!(err instanceof ApiError)) throw err;
    log.info({ reason: err.reason ?? err.code }, 'Slack decision refused');
    await tell(`Not counted: ${err.message}`);
  }
  return { status: 200 };
}
