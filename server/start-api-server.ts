/** Starts the HTTP API (used by `airlock up` and by tests) and returns its address and a stop function. */
import { createArtifactStore } from '../platform/artifact-store-config.js';
import type { Logger } from 'pino';
import { loadChannelsEnv, type AirlockConfig } from '../platform/config.js';
import { AirlockClient } from '../client/sdk.js';
import { policyLoader, resolvePolicyPath } from '../policy/policy-loader.js';
import { parseApprovers } from '../policy/policy-snapshot.js';
import { SetupError } from '../platform/setup-errors.js';
import { DecisionSigner } from './decision-signer.js';
import { buildHttpServer } from './http-server.js';
import { RateLimiter } from './rate-limiter.js';
import { createSlackApi } from '../channels/slack/slack-api.js';
import { tokenFilePath, TokenStore } from '../platform/token-store.js';
import { webUiPlugin } from './ui/web-ui-plugin.js';

/** The HTTP API's port is taken; the message says how to choose another. */
export class ApiPortInUseError extends SetupError {
  override readonly name = 'ApiPortInUseError';
  readonly code = 'port_in_use' as const;
  constructor(
    readonly host: string,
    readonly port: number,
    options?: { cause?: unknown },
  ) {
    super(`${host}:${port} (the Airlock HTTP API) is already in use: stop what listens there or set AIRLOCK_HTTP_PORT`, options);
  }
}

export interface ApiServer {
  /** `http://host:port` the server listens on. */
  url: string;
  port: number;
  close(): Promise<void>;
}

export async function startApiServer(options: { config: AirlockConfig; logger: Logger; env?: NodeJS.ProcessEnv }): Promise<ApiServer> {
  const env = options.env ?? process.env;
  const settings = loadChannelsEnv(env);
  const logger = options.logger.child({ component: 'http' });
  const loadPolicy = policyLoader({ file: resolvePolicyPath(env), approvers: parseApprovers(options.config.AIRLOCK_APPROVERS), home: options.config.home });
  // Created on first start (mode 0600) unless AIRLOCK_SIGNING_KEY gives it; the policy must list its public key.
  const signer = DecisionSigner.load({ home: options.config.home, env });
  logger.info({ keyId: signer.keyId, publicKey: signer.publicKey, source: signer.source }, 'decision signing key loaded');
  const signerListed = (loadPolicy().signers ?? []).some((s) => s.keyId === signer.keyId);
  if (!signerListed) logger.warn({ keyId: signer.keyId }, 'the policy does not list this signing key: human decisions will be refused until it does');
  const client = await AirlockClient.connect(options.config);
  const slack =
    settings.SLACK_BOT_TOKEN && settings.SLACK_SIGNING_SECRET
      ? {
          signingSecret: settings.SLACK_SIGNING_SECRET,
          api: createSlackApi({ token: settings.SLACK_BOT_TOKEN, apiUrl: settings.SLACK_API_URL, logger }),
          // The current policy maps identities; the run's pinned policy still decides what the principal may do.
          principalForSlackUser: (slackUserId: string) => loadPolicy().principals?.find((p) => p.slackUserId === slackUserId)?.id,
        }
      : undefined;
  // One store for the API and the web UI: both read and write the same token file.
  const tokens = new TokenStore(tokenFilePath(options.config.home));
  const app = buildHttpServer({
    client,
    // The configured store: with S3, this API serves outputs that any sandbox host produced.
    artifacts: await createArtifactStore({ home: options.config.home, env, logger }),
    tokens,
    signer,
    rateLimiter: new RateLimiter(settings.AIRLOCK_API_RATE_LIMIT),
    logger,
    policyPrincipals: () => loadPolicy().principals?.map((p) => p.id),
    callbackPolicy: () => loadPolicy().callbacks,
    ...(slack ? { slack } : {}),
  });
  // The approval web UI at `/`, beside the API under /v1.
  await app.register(webUiPlugin, { client, signer, tokens, config: options.config });
  try {
    await app.listen({ host: settings.AIRLOCK_HTTP_HOST, port: settings.AIRLOCK_HTTP_PORT });
  } catch (err) {
    await client.disconnect();
    if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      throw new ApiPortInUseError(settings.AIRLOCK_HTTP_HOST, settings.AIRLOCK_HTTP_PORT, { cause: err });
    }
    throw err;
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : settings.AIRLOCK_HTTP_PORT;
  const url = `http://${settings.AIRLOCK_HTTP_HOST.includes(':') ? `[${settings.AIRLOCK_HTTP_HOST}]` : settings.AIRLOCK_HTTP_HOST}:${port}`;
  logger.info({ url, slack: slack !== undefined }, 'HTTP API listening');
  return {
    url,
    port,
    async close() {
      await app.close();
      await client.disconnect();
    },
  };
}
