/** Every approval channel Airlock has, by the name the policy uses for it. */
import type { Logger } from 'pino';
import type { ChannelsEnv } from '../schemas/channels-env.js';
import type { NotifyChannel } from '../schemas/policy.js';
import type { ApprovalChannel } from './approval-channel.js';
import { createSlackApi, type SlackApi } from './slack/slack-api.js';
import { createSlackChannel } from './slack/slack-channel.js';
import { createWebhookChannel } from './webhook/webhook-channel.js';

/** The secrets and clients the channels need; a channel without its settings answers "not configured". */
export interface ApprovalChannelSettings {
  slack?: SlackApi;
  webhookSecret?: string;
}

export type ApprovalChannels = ReadonlyMap<NotifyChannel, ApprovalChannel>;

export function createApprovalChannels(settings: ApprovalChannelSettings = {}): ApprovalChannels {
  const channels = [createSlackChannel(settings.slack), createWebhookChannel(settings.webhookSecret)];
  return new Map(channels.map((channel) => [channel.name, channel]));
}

/** The channel settings the environment configures (SLACK_BOT_TOKEN, SLACK_API_URL, AIRLOCK_WEBHOOK_SECRET). */
export function channelSettingsFromEnv(env: ChannelsEnv, logger: Logger): ApprovalChannelSettings {
  return {
    ...(env.SLACK_BOT_TOKEN ? { slack: createSlackApi({ token: env.SLACK_BOT_TOKEN, apiUrl: env.SLACK_API_URL, logger }) } : {}),
    ...(env.AIRLOCK_WEBHOOK_SECRET ? { webhookSecret: env.AIRLOCK_WEBHOOK_SECRET } : {}),
  };
}
