/**
 * One interface for every push channel that tells people about pending approvals (Slack, webhook, and the ones to
 * come). The workflow knows channels by the names the policy uses; the activities look the channel up by name and
 * call it. Adding a channel is a new implementation here, its name and target in the policy schema, and nothing in
 * workflows/.
 */
import type { Logger } from 'pino';
import type { ApprovalNotice, ApprovalOutcome, ChannelDelivery, MessageRef } from '../schemas/notification.js';
import type { ChannelTargets, NotifyChannel } from '../schemas/policy.js';

/** What a channel is given to announce or escalate a wait. */
export interface ChannelRequest {
  notice: ApprovalNotice;
  /** Where the policy says the channels deliver. */
  targets: ChannelTargets;
  logger: Logger;
}

export interface ApprovalChannel {
  readonly name: NotifyChannel;
  /**
   * Announces a pending approval. Throws on a failure a retry may fix (Temporal then retries with backoff); a
   * channel that is not configured answers `delivered: false` with the reason, since retrying cannot fix that.
   * What it posted and can rewrite later comes back under its own name (see MessageRefs).
   */
  announce(request: ChannelRequest): Promise<ChannelDelivery>;
  /** Announces one step of the escalation ladder (`notice.stage` > 0, `notice.mentions` named by role). */
  escalate(request: ChannelRequest): Promise<ChannelDelivery>;
  /** Rewrites what it posted for this wait with the outcome, whichever channel (or the timeout) decided. */
  update(request: { messages: readonly MessageRef[]; notice: ApprovalNotice; outcome: ApprovalOutcome; deciders: readonly string[]; logger: Logger }): Promise<void>;
}

/** The answer of a channel that lacks its settings (a secret in the environment, a target in the policy). */
export function notConfigured(logger: Logger, detail: string): ChannelDelivery {
  logger.warn({ detail }, 'approval channel not configured; notification skipped');
  return { delivered: false, detail };
}
