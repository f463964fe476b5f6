import type { Logger } from 'pino';
import { z } from 'zod';
import type { ApprovalChannelDeps } from '../activities/approval-channel-activities.js';
import type { AirlockConfig } from '../client/config.js';
import { ConfigError } from '../client/config.js';
import { PolicyFileError } from '../policy/policy-file-error.js';
import { policyLoader, resolvePolicyPath } from '../policy/policy-loader.js';
import { parseApprovers } from '../policy/policy-snapshot.js';
import { ChannelsEnvSchema, type ChannelsEnv } from '../schemas/channels-env.js';
import type { PolicySnapshot } from '../schemas/policy.js';
import { createSlackApi } from '../server/slack/slack-api.js';

/** Parses the channel and HTTP settings once; a bad value stops start-up naming the variable. */
export function loadChannelsEnv(env: NodeJS.ProcessEnv = process.env): ChannelsEnv {
  const parsed = ChannelsEnvSchema.safeParse(env);
  if (!parsed.success) throw new ConfigError(`invalid environment:\n${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

/**
 * What the control worker needs for policy and approvals: the policy loader (validated once now, so a broken file
 * stops the worker at start rather than failing runs) and the push channels the environment configures.
 */
export function controlPolicyDeps(options: { config: AirlockConfig; logger: Logger; env?: NodeJS.ProcessEnv }): {
  policy: () => PolicySnapshot;
  channels: Omit<ApprovalChannelDeps, 'logger'>;
} {
  const env = options.env ?? process.env;
  const file = resolvePolicyPath(env);
  const policy = policyLoader({ file, approvers: parseApprovers(options.config.AIRLOCK_APPROVERS), home: options.config.home });
  let first: PolicySnapshot;
  try {
    first = policy();
  } catch (err) {
    // A broken policy file is the operator's to fix: one readable message, no stack trace.
    if (err instanceof PolicyFileError) throw new ConfigError(err.message, { cause: err });
    throw err;
  }
  options.logger.info({ policy: file ?? 'built-in', version: first.version }, 'policy loaded');
  const channelsEnv = loadChannelsEnv(env);
  return {
    policy,
    channels: {
      ...(channelsEnv.SLACK_BOT_TOKEN
        ? { slack: createSlackApi({ token: channelsEnv.SLACK_BOT_TOKEN, apiUrl: channelsEnv.SLACK_API_URL, logger: options.logger }) }
        : {}),
      ...(channelsEnv.AIRLOCK_WEBHOOK_SECRET ? { webhookSecret: channelsEnv.AIRLOCK_WEBHOOK_SECRET } : {}),
    },
  };
}
