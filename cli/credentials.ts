/**
 * Where `airlock login` keeps the API token: `$AIRLOCK_CREDENTIALS_FILE`, else
 * `$XDG_CONFIG_HOME/airlock/credentials.json` (`~/.config/...`), mode 0600, outside the project folder so that code
 * working in a checkout does not find it there. AIRLOCK_TOKEN in the environment wins over the file.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { AirlockApiClient, apiUrlOf } from '../client/api-client.js';
import type { AirlockConfig } from '../platform/config.js';

const CredentialsSchema = z.object({ apiUrl: z.string(), token: z.string(), principal: z.string(), savedAt: z.string() });
export type Credentials = z.infer<typeof CredentialsSchema>;

export function credentialsFile(env: NodeJS.ProcessEnv = process.env): string {
  const explicit = env.AIRLOCK_CREDENTIALS_FILE?.trim();
  if (explicit) return path.resolve(explicit);
  const base = env.XDG_CONFIG_HOME?.trim() || path.join(homedir(), '.config');
  return path.join(base, 'airlock', 'credentials.json');
}

/** The stored credentials, or undefined when there are none (or the file is unreadable). */
export function readCredentials(env: NodeJS.ProcessEnv = process.env): Credentials | undefined {
  try {
    const parsed = CredentialsSchema.safeParse(JSON.parse(readFileSync(credentialsFile(env), 'utf8')));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

export function writeCredentials(credentials: Credentials, env: NodeJS.ProcessEnv = process.env): string {
  const file = credentialsFile(env);
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(credentials, null, 2)}\n`, { mode: 0o600 });
  renameSync(temporary, file);
  return file;
}

/** An API client with the token of the environment or of `airlock login`. */
export function apiClientFor(config: AirlockConfig, env: NodeJS.ProcessEnv = process.env): AirlockApiClient {
  const stored = readCredentials(env);
  const url = config.AIRLOCK_API_URL ? apiUrlOf(config) : (stored?.apiUrl ?? apiUrlOf(config));
  return new AirlockApiClient({ url, token: config.AIRLOCK_TOKEN ?? stored?.token });
}
