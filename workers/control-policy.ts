import type { Logger } from 'pino';
import type { ApprovalChannelSettings } from '../channels/approval-channels.js';
import { channelSettingsFromEnv } from '../channels/approval-channels.js';
import { ConfigError, loadChannelsEnv, type AirlockConfig } from '../platform/config.js';
import { PolicyFileError } from '../policy/policy-file-error.js';
import { policyLoader, resolvePolicyPath } from '../policy/policy-loader.js';
import { parseApprovers } from '../policy/policy-snapshot.js';
import type { PolicySnapshot } from '../schemas/policy.js';

/**
 * What the control worker needs for policy and approvals: the policy loader (validated once now, so a broken file
 * stops the worker at start rather than failing runs), the push channels and the callback secret the environment
 * configures.
 */
export function controlPolicyDeps(options: { config: AirlockConfig; logger: Logger; env?: NodeJS.ProcessEnv }): {
  policy: () => PolicySnapshot;
  channels: ApprovalChannelSettings;
  callbackSecret?: string;
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
    channels: channelSettingsFromEnv(channelsEnv, options.logger),
    ...(channelsEnv.AIRLOCK_CALLBACK_SECRET ? { callbackSecret: channelsEnv.AIRLOCK_CALLBACK_SECRET } : {}),
  };
}
