import path from 'node:path';
import { z } from 'zod';
import { ChannelsEnvSchema, type ChannelsEnv } from '../schemas/channels-env.js';
import { EnvConfigSchema, type EnvConfig } from '../schemas/config.js';

export class ConfigError extends Error {
  override readonly name: string = 'ConfigError';
}

export interface AirlockConfig extends EnvConfig {
  /** AIRLOCK_HOME resolved to an absolute path. */
  home: string;
}

/** Parses environment variables with `schema`; a bad value throws a ConfigError naming the variable. */
export function parseEnv<T>(schema: z.ZodType<T>, env: NodeJS.ProcessEnv): T {
  const parsed = schema.safeParse(env);
  if (!parsed.success) throw new ConfigError(`invalid environment:\n${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

/** Parses the environment once; a bad value stops start-up with a message naming the variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): AirlockConfig {
  const parsed = parseEnv(EnvConfigSchema, env);
  return { ...parsed, home: path.resolve(parsed.AIRLOCK_HOME) };
}

/** Parses the channel and HTTP settings once; a bad value stops start-up naming the variable. */
export function loadChannelsEnv(env: NodeJS.ProcessEnv = process.env): ChannelsEnv {
  return parseEnv(ChannelsEnvSchema, env);
}
