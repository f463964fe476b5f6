/** Slack as an approval channel: a Block Kit message with buttons, rewritten with the outcome once decided. */
import { SlackMessageRefSchema } from '../../schemas/notification.js';
import { notConfigured, type ApprovalChannel, type ChannelRequest } from '../approval-channel.js';
import { approvalOutcomeMessage, approvalRequestMessage } from './approval-blocks.js';
import type { SlackApi } from './slack-api.js';

export function createSlackChannel(slack: SlackApi | undefined): ApprovalChannel {
  const post = async ({ notice, targets, logger }: ChannelRequest) => {
    const channel = targets.slack?.channel;
    if (!slack || !channel) return notConfigured(logger, 'Slack needs SLACK_BOT_TOKEN and channels.slack.channel in the policy');
    const ref = await slack.postMessage({ channel, ...approvalRequestMessage(notice) });
    logger.info({ ts: ref.ts, stage: notice.stage }, 'approval request posted to Slack');
    return { delivered: true, slack: ref };
  };
  return {
    name: 'slack',
    announce: post,
    // The escalation is a new message naming the people the step adds (mentions come with the notice).
    escalate: post,
    async update({ messages, notice, outcome, deciders }) {
      if (!slack) return;
      const message = approvalOutcomeMessage(notice, outcome, [...deciders]);
      for (const ref of messages) await slack.updateMessage({ ...SlackMessageRefSchema.parse(ref), ...message });
    },
  };
}
