/** A signed outbound webhook as an approval channel: one POST per announcement; nothing to rewrite afterwards. */
import { notConfigured, type ApprovalChannel, type ChannelRequest } from '../approval-channel.js';
import { postSignedJson } from './signed-post.js';

export function createWebhookChannel(secret: string | undefined): ApprovalChannel {
  const send = async ({ notice, targets, logger }: ChannelRequest) => {
    const url = targets.webhook?.url;
    if (!secret || !url) return notConfigured(logger, 'the webhook needs AIRLOCK_WEBHOOK_SECRET and channels.webhook.url in the policy');
    await postSignedJson({ kind: 'webhook', url, secret, body: JSON.stringify({ type: 'approval.requested', ...notice }) });
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
