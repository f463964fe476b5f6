import { z } from 'zod';

const optionalText = z
  .string()
  .trim()
  .transform((value) => (value === '' ? undefined : value))
  .optional();

/** Environment of the push channels and the HTTP API; secrets live here, never in the policy file. */
export const ChannelsEnvSchema = z.object({
  AIRLOCK_HTTP_PORT: z.coerce.number().int().min(0).max(65_535).default(8080),
  /** Loopback by default: exposing the API is a deliberate choice. */
  AIRLOCK_HTTP_HOST: z.string().min(1).default('127.0.0.1'),
  /** Requests per minute per token. */
  AIRLOCK_API_RATE_LIMIT: z.coerce.number().int().min(1).default(120),
  SLACK_BOT_TOKEN: optionalText,
  SLACK_SIGNING_SECRET: optionalText,
  /** Base URL of the Slack Web API (ends with `/api/`); Slack's own when unset. Tests point it at a local fake. */
  SLACK_API_URL: optionalText.pipe(z.url().optional()),
  AIRLOCK_WEBHOOK_SECRET: optionalText,
  /** Signs run-event callbacks to agent services; its own secret, since agent services are not approvers. */
  AIRLOCK_CALLBACK_SECRET: optionalText,
});
export type ChannelsEnv = z.infer<typeof ChannelsEnvSchema>;
