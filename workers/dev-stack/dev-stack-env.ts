import { z } from 'zod';

const DEFAULT_TEMPORAL_PORT = 7233;
/** Temporal's own convention: the Web UI listens 1000 above the gRPC port. */
const UI_PORT_OFFSET = 1000;

const port = z.coerce.number().int().min(1).max(65535);
/** An empty variable counts as unset, as shells and .env files often leave them. */
const emptyAsUnset = (value: unknown) => (value === '' ? undefined : value);

/** Variables only the embedded stack reads (the rest of the configuration is platform/config.ts). */
export const DevStackEnvSchema = z.object({
  /** When set, the stack uses this server instead of starting one. */
  TEMPORAL_ADDRESS: z.preprocess(emptyAsUnset, z.string().min(1).optional()),
  /** Lets a second stack (tests) run beside `npm run up`. */
  AIRLOCK_TEMPORAL_PORT: z.preprocess(emptyAsUnset, port.default(DEFAULT_TEMPORAL_PORT)),
  AIRLOCK_UI_PORT: z.preprocess(emptyAsUnset, port.optional()),
});

/** What the embedded stack decided from the environment. */
export interface DevStackSettings {
  externalAddress: string | undefined;
  temporalPort: number;
  uiPort: number;
}

/** Parses the stack's own variables; a bad value throws with the variable's name in the message. */
export function parseDevStackEnv(env: NodeJS.ProcessEnv): DevStackSettings {
  const parsed = DevStackEnvSchema.safeParse(env);
  if (!parsed.success) {
    throw new Error(`invalid environment for \`airlock up\`:\n${z.prettifyError(parsed.error)}`);
  }
  const { TEMPORAL_ADDRESS, AIRLOCK_TEMPORAL_PORT, AIRLOCK_UI_PORT } = parsed.data;
  return {
    externalAddress: TEMPORAL_ADDRESS,
    temporalPort: AIRLOCK_TEMPORAL_PORT,
    uiPort: AIRLOCK_UI_PORT ?? AIRLOCK_TEMPORAL_PORT + UI_PORT_OFFSET,
  };
}
