import { z } from 'zod';
import { LanguageSchema } from './action.js';
import { NotifyChannelSchema, type NotifyChannel } from './policy.js';
import { RiskLevelSchema } from './risk.js';

/** What a push channel shows about an action waiting for approval (built by the workflow, small on purpose). */
export const ApprovalNoticeSchema = z.object({
  runId: z.string(),
  actionId: z.string(),
  agent: z.string(),
  requester: z.string(),
  task: z.string().optional(),
  language: LanguageSchema,
  level: RiskLevelSchema,
  score: z.number(),
  findings: z.array(z.object({ ruleId: z.string(), description: z.string(), line: z.number(), match: z.string() })),
  codeExcerpt: z.string(),
  codeTruncated: z.boolean(),
  requiredApprovals: z.number().int(),
  /** ISO time when the wait ends in a denial. */
  deadline: z.string(),
  policyVersion: z.string(),
  /** 0 when the wait starts, n for the n-th escalation step. */
  stage: z.number().int(),
  /** Principals the escalation names (by role), and their Slack ids where the policy has them. */
  mentions: z.array(z.string()),
  slackMentions: z.array(z.string()),
  /** The input files placed next to the code, each with its sha256 and the start of its text. */
  inputFiles: z.array(z.object({ path: z.string(), sha256: z.string(), bytes: z.number().int(), excerpt: z.string() })).optional(),
  /** True when the file excerpts are not the whole files: the web UI shows more. */
  filesTruncated: z.boolean().optional(),
  /** Limits the code will run with, and where it may connect (absent: no network). */
  limits: z.object({ timeoutSec: z.number(), memoryMb: z.number(), cpus: z.number(), pids: z.number(), outputBytes: z.number() }).optional(),
  allow: z.array(z.string()).optional(),
  /** Secrets the egress proxy will add, by name, with the destinations that get each (never values). */
  credentials: z.array(z.object({ name: z.string(), hosts: z.array(z.string()), applied: z.string() })).optional(),
});
export type ApprovalNotice = z.infer<typeof ApprovalNoticeSchema>;

export const SlackMessageRefSchema = z.object({ channel: z.string(), ts: z.string() });
export type SlackMessageRef = z.infer<typeof SlackMessageRefSchema>;

/** A message a channel posted and can rewrite later, in the channel's own terms (Slack: channel and ts). */
export type MessageRef = Readonly<Record<string, string>>;

/**
 * Message references kept under the name of the channel that posted them (`slack: { channel, ts }`): in a channel's
 * delivery result, on the notification record, and (as lists) in the outcome update. Keyed by name so the workflow
 * handles every channel alike, and so the records of runs from before channels/ read the same.
 */
export type MessageRefs = Partial<Record<NotifyChannel, MessageRef>>;

/** The reference `channel` left in `refs`, if any. */
export function messageRefOf(refs: object, channel: NotifyChannel): MessageRef | undefined {
  return (refs as MessageRefs)[channel];
}

/** What a channel answers when asked to announce: whether it delivered, why not, and what it posted. */
export type ChannelDelivery = { delivered: boolean; detail?: string } & MessageRefs;

/** One announcement of a pending approval, as recorded on the action. */
export const NotificationRecordSchema = z.object({
  channel: NotifyChannelSchema,
  stage: z.number().int(),
  at: z.string(),
  delivered: z.boolean(),
  /** Why it was not delivered (channel not configured, delivery failed after retries). */
  detail: z.string().optional(),
  roles: z.array(z.string()).optional(),
  /** The posted message, under the name of the channel that posted it (see MessageRefs). */
  slack: SlackMessageRefSchema.optional(),
});
export type NotificationRecord = z.infer<typeof NotificationRecordSchema>;

export const APPROVAL_OUTCOMES = ['approved', 'denied', 'timed_out'] as const;
export type ApprovalOutcome = (typeof APPROVAL_OUTCOMES)[number];
