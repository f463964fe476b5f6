import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/** The agent that owns the run. */
export const AGENT_ATTRIBUTE = defineSearchAttributeKey('AirlockAgent', SearchAttributeType.KEYWORD);
/** running | awaiting_approval | completed | failed | closed */
export const STATUS_ATTRIBUTE = defineSearchAttributeKey('AirlockStatus', SearchAttributeType.KEYWORD);
/** Highest risk level assessed so far in the run. */
export const RISK_ATTRIBUTE = defineSearchAttributeKey('AirlockRisk', SearchAttributeType.KEYWORD);
/** True while at least one action waits for a human. */
export const AWAITING_APPROVAL_ATTRIBUTE = defineSearchAttributeKey(
  'AirlockAwaitingApproval',
  SearchAttributeType.BOOL,
);

/** Name and Temporal type of each attribute, for registering them with a server. */
export const AIRLOCK_SEARCH_ATTRIBUTES = [AGENT_ATTRIBUTE, STATUS_ATTRIBUTE, RISK_ATTRIBUTE, AWAITING_APPROVAL_ATTRIBUTE];
