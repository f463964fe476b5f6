/** A signed outbound webhook as an approval channel: one POST per announcement; nothing to rewrite afterwards. */
import { ApplicationFailure } from '@temporalio/common';
import { notConfigured, type ApprovalChannel, type ChannelRequest } from '../approval-channel.js';
import { signWebhook, WEBHOOK_HEADERS } from './webhook-signature.js';

const WEBHOOK_TIMEOUT_MS = 10_000;

export function createWebhookChannel(secret: string | undefined): ApprovalChannel {
  const send = async ({ notice, targets, logger }: ChannelRequest) => {
    const url = targets.webhook?.url;
    if (!secret || !url) return notConfigured(logger, 'the webhook needs AIRLOCK_WEBHOOK_SECRET and channels.webhook.url in the policy');
    await postWebhook(url, secret, { type: 'approval.requested', ...notice });
    logger.info({ stage: notice.stage }, 'approval request sent to the webhook');
    return { delivered: true };
  };
  return {
    name: 'webhook',
    announce: send,
    // Receivers tell an escalation by `stage` and `mentions` in the same event type.
    escalate: send,
    // A webhook posts nothing it could rewrite, so no message reference ever asks for an update.
    async update() {},
  };
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
