/**
 * Push channels for pending approvals: Slack (Block Kit through Slack's Web API) and a signed outbound webhook.
 * Failures throw, so Temporal retries them with backoff; a channel that is not configured answers
 * `delivered: false` with the reason instead, since retrying cannot fix configuration.
 */
import { ApplicationFailure } from '@temporalio/common';
import type { Logger } from 'pino';
import type { ActionRef } from '../schemas/action.js';
import { SlackMessageRefSchema, type ApprovalNotice, type ApprovalOutcome, type MessageRef, type SlackMessageRef } from '../schemas/notification.js';
import type { ChannelTargets, NotifyChannel } from '../schemas/policy.js';
import { approvalOutcomeMessage, approvalRequestMessage } from '../channels/slack/approval-blocks.js';
import type { SlackApi } from '../channels/slack/slack-api.js';
import { signWebhook, WEBHOOK_HEADERS } from '../channels/webhook/webhook-signature.js';

const WEBHOOK_TIMEOUT_MS = 10_000;

export interface ApprovalChannelDeps {
  logger: Logger;
  slack?: SlackApi;
  webhookSecret?: string;
}

export interface NotifyInput extends ActionRef {
  channel: NotifyChannel;
  notice: ApprovalNotice;
  targets: ChannelTargets;
}

export interface NotifyResult {
  delivered: boolean;
  detail?: string;
  slack?: SlackMessageRef;
}

/** The outcome of a wait, and the messages to rewrite with it, listed under the name of the channel that posted them. */
export type OutcomeInput = Partial<ActionRef> & {
  notice: ApprovalNotice;
  outcome: ApprovalOutcome;
  deciders: string[];
} & Partial<Record<NotifyChannel, MessageRef[]>>;

export function createApprovalChannelActivities(deps: ApprovalChannelDeps) {
  return {
    /** Announces a pending approval on one channel. */
    async notifyApprovers(input: NotifyInput): Promise<NotifyResult> {
      const log = deps.logger.child({ runId: input.notice.runId, actionId: input.notice.actionId, channel: input.channel });
      if (input.channel === 'slack') {
        const channel = input.targets.slack?.channel;
        if (!deps.slack || !channel) return notConfigured(log, 'Slack needs SLACK_BOT_TOKEN and channels.slack.channel in the policy');
        const ref = await deps.slack.postMessage({ channel, ...approvalRequestMessage(input.notice) });
        log.info({ ts: ref.ts, stage: input.notice.stage }, 'approval request posted to Slack');
        return { delivered: true, slack: ref };
      }
      const url = input.targets.webhook?.url;
      if (!deps.webhookSecret || !url) return notConfigured(log, 'the webhook needs AIRLOCK_WEBHOOK_SECRET and channels.webhook.url in the policy');
      await postWebhook(url, deps.webhookSecret, { type: 'approval.requested', ...input.notice });
      log.info({ stage: input.notice.stage }, 'approval request sent to the webhook');
      return { delivered: true };
    },

    /** Rewrites posted Slack messages with the outcome, whichever channel (or the timeout) decided. */
    async publishApprovalOutcome(input: OutcomeInput): Promise<void> {
      if (!deps.slack) return;
      const message = approvalOutcomeMessage(input.notice, input.outcome, input.deciders);
      for (const ref of input.slack ?? []) await deps.slack.updateMessage({ ...SlackMessageRefSchema.parse(ref), ...message });
    },
  };
}

export type ApprovalChannelActivities = ReturnType<typeof createApprovalChannelActivities>;

function notConfigured(log: Logger, detail: string): NotifyResult {
  log.warn({ detail }, 'approval channel not configured; notification skipped');
  return { delivered: false, detail };
}

async function postWebhook(url: string, secret: string, payload: unknown): Promise<void> {
  const body = JSON.stringify(payload);
  const timestamp = Math.floor(Date.now() / 1_000);
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        [WEBHOOK_HEADERS.timestamp]: String(timestamp),
        [WEBHOOK_HEADERS.signature]: signWebhook(secret, timestamp, body),
      },
      body,
      redirect: 'error',
      signal: AbortSignal.timeout(WEBHOOK_TIMEOUT_MS),
    });
  } catch (err) {
    throw ApplicationFailure.retryable(`webhook ${url} unreachable: ${(err as Error).message}`, 'WebhookUnreachable');
  }
  await response.body?.cancel();
  if (response.ok) return;
  // A 4xx other than timeout/rate limit means the receiver refuses this delivery; retrying will not change that.
  const permanent = response.status >= 400 && response.status < 500 && response.status !== 408 && response.status !== 429;
  const message = `webhook ${url} answered ${response.status}`;
  throw permanent ? ApplicationFailure.nonRetryable(message, 'WebhookRejected') : ApplicationFailure.retryable(message, 'WebhookFailed');
}
