/**
 * Tells the approval channels named by the policy about pending approvals, their escalations and their outcomes.
 * Every channel is handled alike: the workflow knows channels by name only; what a channel posts and how it
 * rewrites it is the channel's business (channels/). Deliveries run beside the actions; a failed one is recorded
 * on the action, never fails it, and the run waits for them (`drain`) before it ends.
 */
import type { ApprovalNotice, ApprovalOutcome, ChannelDelivery, MessageRef, NotificationRecord } from '../schemas/notification.js';
import { messageRefOf } from '../schemas/notification.js';
import type { ChannelTargets, NotifyChannel } from '../schemas/policy.js';
import type { RiskLevel } from '../schemas/risk.js';
import type { ActionState } from '../schemas/run.js';
import { buildApprovalNotice } from './approval-notice.js';
import { describeFailure } from './describe-failure.js';
import type { RunSession } from './run-session.js';

/** The activities the announcer calls (with retries, through the workflow's proxies). */
export interface AnnouncerDeps {
  notifyApprovers(input: { runId: string; actionId: string; channel: NotifyChannel; notice: ApprovalNotice; targets: ChannelTargets }): Promise<ChannelDelivery>;
  publishApprovalOutcome(input: {
    runId: string;
    actionId: string;
    notice: ApprovalNotice;
    outcome: ApprovalOutcome;
    deciders: string[];
  } & Partial<Record<NotifyChannel, MessageRef[]>>): Promise<void>;
  now(): string;
  failed(error: string): void;
}

export class Announcer {
  private readonly background = new Set<Promise<void>>();
  private readonly pending = new Map<string, Promise<void>[]>();

  constructor(
    private readonly session: RunSession,
    private readonly deps: AnnouncerDeps,
  ) {}

  /** True while deliveries or outcome updates are still being retried. */
  get busy(): boolean {
    return this.background.size > 0;
  }

  /** Waits for every delivery and outcome update, including ones started meanwhile. */
  async drain(): Promise<void> {
    while (this.background.size > 0) await Promise.allSettled([...this.background]);
  }

  /** Announces the wait on `channels`; the outcome of each delivery is recorded on the action. */
  announce(action: ActionState, level: RiskLevel, stage: number, channels: readonly NotifyChannel[], roles: string[]): void {
    const { runId } = this.session;
    const targets = this.session.pinnedPolicy.channels ?? {};
    const notice = this.noticeFor(action, level, stage, roles);
    for (const channel of channels) {
      const task = this.inBackground(
        (async () => {
          const at = this.deps.now();
          let record: NotificationRecord;
          try {
            const result = await this.deps.notifyApprovers({ runId, actionId: action.actionId, channel, notice, targets });
            const ref = messageRefOf(result, channel);
            record = { channel, stage, at, delivered: result.delivered, ...(result.detail ? { detail: result.detail } : {}), ...(ref ? { [channel]: ref } : {}) };
          } catch (err) {
            record = { channel, stage, at, delivered: false, detail: err instanceof Error ? describeFailure(err) : String(err) };
          }
          if (roles.length > 0) record.roles = roles;
          (action.notifications ??= []).push(record);
        })(),
      );
      this.pending.set(action.actionId, [...(this.pending.get(action.actionId) ?? []), task]);
    }
  }

  /** Rewrites the posted messages of a finished wait with its outcome, whoever (or whatever) decided. */
  publishOutcome(action: ActionState, level: RiskLevel, outcome: ApprovalOutcome): void {
    const deliveries = this.pending.get(action.actionId);
    if (!deliveries) return;
    void this.inBackground(
      (async () => {
        await Promise.allSettled(deliveries);
        const posted: Partial<Record<NotifyChannel, MessageRef[]>> = {};
        for (const record of action.notifications ?? []) {
          const ref = messageRefOf(record, record.channel);
          if (ref) (posted[record.channel] ??= []).push(ref);
        }
        if (Object.keys(posted).length === 0) return;
        const notice = this.noticeFor(action, level, 0, []);
        const deciders = action.decisions.filter((d) => !d.automatic).map((d) => d.approver);
        await this.deps.publishApprovalOutcome({ ...posted, runId: this.session.runId, actionId: action.actionId, notice, outcome, deciders });
      })(),
    );
  }

  private noticeFor(action: ActionState, level: RiskLevel, stage: number, roles: string[]): ApprovalNotice {
    const { state } = this.session;
    return buildApprovalNotice({
      runId: state.runId,
      agent: state.agent,
      requester: state.requester,
      action,
      level,
      deadline: action.approvalDeadline ?? this.deps.now(),
      policy: this.session.pinnedPolicy,
      stage,
      roles,
    });
  }

  private inBackground(work: Promise<void>): Promise<void> {
    const task: Promise<void> = work
      .catch((err: unknown) => this.deps.failed(String(err)))
      .finally(() => this.background.delete(task));
    this.background.add(task);
    return task;
  }
}
