import path from 'node:path';
import { z } from 'zod';
import { EnvConfigSchema, type EnvConfig } from '../schemas/config.js';

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

export interface AirlockConfig extends EnvConfig {
  /** AIRLOCK_HOME resolved to an absolute path. */
  home: string;
}

/** Parses the environment once; a bad value stops start-up with a message naming the variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): AirlockConfig {
  const parsed = EnvConfigSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(`invalid environment:\n${z.prettifyError(parsed.error)}`);
  }
  return { ...parsed.data, home: path.resolve(parsed.data.AIRLOCK_HOME) };
}
