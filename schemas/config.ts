import { z } from 'zod';

/** `json`: JSON lines; `pretty`: one readable line per entry. Unset: readable on a terminal, JSON when piped. */
export const LOG_FORMATS = ['json', 'pretty'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

/** Environment every Airlock process reads once at start-up. */
export const EnvConfigSchema = z.object({
  TEMPORAL_ADDRESS: z.string().min(1).default('127.0.0.1:7233'),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  /** TLS to Temporal (platform/temporal-tls.ts checks them at connect): client certificate and key (PEM files), */
  TEMPORAL_TLS_CERT: z.string().optional(),
  TEMPORAL_TLS_KEY: z.string().optional(),
  /** the CA the server's certificate chains to (the system's roots when unset), */
  TEMPORAL_TLS_CA: z.string().optional(),
  /** and the host name its certificate carries when it is not TEMPORAL_ADDRESS's host. */
  TEMPORAL_TLS_SERVER_NAME: z.string().optional(),
  /** Control task queue; the sandbox queue is derived from it (`<queue>-sandbox`). */
  AIRLOCK_TASK_QUEUE: z.string().min(1).default('airlock'),
  /** State folder: Temporal's SQLite file, artifacts, logs. Relative paths are taken from the working directory. */
  AIRLOCK_HOME: z.string().min(1).default('.airlock'),
  AIRLOCK_SANDBOX_IMAGE: z.string().min(1).default('airlock-sandbox'),
  /** Comma-separated principals allowed to approve; empty means anyone but the requester. */
  AIRLOCK_APPROVERS: z.string().default(''),
  /** Base URL of the Airlock HTTP API (decisions go through it); http://127.0.0.1:8080 when unset. */
  AIRLOCK_API_URL: z.url({ protocol: /^https?$/ }).optional(),
  /** Bearer token for the API (else the one `airlock login` stored). */
  AIRLOCK_TOKEN: z.string().trim().min(1).optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  LOG_FORMAT: z.enum(LOG_FORMATS).optional(),
});
export type EnvConfig = z.infer<typeof EnvConfigSchema>;
