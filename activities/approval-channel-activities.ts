/**
 * Push channels for pending approvals, as activities: each call looks the channel up by the name the policy uses
 * and hands it the notice. Failures throw, so Temporal retries them with backoff; a channel that is not configured
 * answers `delivered: false` with the reason instead, since retrying cannot fix configuration.
 */
import type { Logger } from 'pino';
import { createApprovalChannels, type ApprovalChannelSettings } from '../channels/approval-channels.js';
import { notConfigured } from '../channels/approval-channel.js';
import type { ActionRef } from '../schemas/action.js';
import type { ApprovalNotice, ApprovalOutcome, ChannelDelivery, MessageRef } from '../schemas/notification.js';
import type { ChannelTargets, NotifyChannel } from '../schemas/policy.js';

export interface ApprovalChannelDeps extends ApprovalChannelSettings {
  logger: Logger;
}

export interface NotifyInput extends ActionRef {
  channel: NotifyChannel;
  notice: ApprovalNotice;
  targets: ChannelTargets;
}

/**
 * The outcome of a wait, and the messages to rewrite with it, listed under the name of the channel that posted
 * them. `runId`/`actionId` are absent in activities scheduled before they were added (the notice has them too).
 */
export type OutcomeInput = Partial<ActionRef> & {
  notice: ApprovalNotice;
  outcome: ApprovalOutcome;
  deciders: string[];
} & Partial<Record<NotifyChannel, MessageRef[]>>;

export function createApprovalChannelActivities(deps: ApprovalChannelDeps) {
  const channels = createApprovalChannels(deps);
  return {
    /** Announces a pending approval (or an escalation step of it) on one channel. */
    async notifyApprovers(input: NotifyInput): Promise<ChannelDelivery> {
      const logger = deps.logger.child({ runId: input.notice.runId, actionId: input.notice.actionId, channel: input.channel });
      const channel = channels.get(input.channel);
      if (!channel) return notConfigured(logger, `no approval channel named ${input.channel}`);
      const request = { notice: input.notice, targets: input.targets, logger };
      return input.notice.stage > 0 ? channel.escalate(request) : channel.announce(request);
    },

    /** Rewrites what the channels posted for a wait with its outcome, whichever channel (or the timeout) decided. */
    async publishApprovalOutcome(input: OutcomeInput): Promise<void> {
      const logger = deps.logger.child({ runId: input.notice.runId, actionId: input.notice.actionId });
      for (const channel of channels.values()) {
        const messages = input[channel.name] ?? [];
        if (messages.length > 0) await channel.update({ messages, notice: input.notice, outcome: input.outcome, deciders: input.deciders, logger });
      }
    },
  };
}

export type ApprovalChannelActivities = ReturnType<typeof createApprovalChannelActivities>;
