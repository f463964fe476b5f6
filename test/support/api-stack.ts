/**
 * Real workers and the real HTTP API on a private task queue and AIRLOCK_HOME, with a policy file the test can
 * edit, a fake Slack and a webhook receiver (both local).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startApiServer, type ApiServer } from '../../server/start-api-server.js';
import type { ApiRole } from '../../platform/api-roles.js';
import { tokenFilePath, TokenStore } from '../../platform/token-store.js';
import { createLogger } from '../../platform/logger.js';
import { startFakeSlack, type FakeSlack } from './fake-slack.js';
import { startTestWorkers, testConfig, type TestWorkers } from './temporal.js';
import { startWebhookReceiver, type WebhookReceiver } from './webhook-receiver.js';

export const SLACK_SIGNING_SECRET = 'test-signing-secret';
export const WEBHOOK_SECRET = 'test-webhook-secret';
export const CALLBACK_SECRET = 'test-callback-secret';
export const SLACK_CHANNEL = 'C0APPROVALS';
/** The policy section that trusts the stack's own signing key (`signing-key.pub` under its AIRLOCK_HOME). */
export const LOCAL_SIGNERS = 'signers:\n  - name: local\n    publicKeyFile: signing-key.pub\n';

export interface ApiStack {
  workers: TestWorkers;
  api: ApiServer;
  slack: FakeSlack;
  webhook: WebhookReceiver;
  policyFile: string;
  writePolicy(text: string): void;
  /** A fresh bearer token for the principal (roles agent and approver unless given). */
  tokenFor(principal: string, roles?: ApiRole[]): string;
  home: string;
  /** fetch against the API with a bearer token (or none). */
  // Response bodies are arbitrary JSON that the tests assert on field by field.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  call(method: string, url: string, options?: { token?: string; body?: unknown; headers?: Record<string, string> }): Promise<{ status: number; body: any; headers: Headers }>;
  startApi(extraEnv: Record<string, string>): Promise<ApiServer>;
  stop(): Promise<void>;
}

export async function startApiStack(options: { policy: (webhookUrl: string) => string; webhookFailFirst?: number }): Promise<ApiStack> {
  const home = mkdtempSync(path.join(tmpdir(), 'airlock-api-'));
  const policyFile = path.join(home, 'airlock.policy.yaml');
  const slack = await startFakeSlack();
  const webhook = await startWebhookReceiver({ failFirst: options.webhookFailFirst ?? 0 });
  // The stack's API signs with the key under its home: a test policy that names no signers trusts that one.
  const writePolicy = (text: string) => writeFileSync(policyFile, /^signers:/m.test(text) ? text : `${text}\n${LOCAL_SIGNERS}`);
  writePolicy(options.policy(webhook.url));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    AIRLOCK_POLICY: policyFile,
    AIRLOCK_HTTP_PORT: '0',
    AIRLOCK_HTTP_HOST: '127.0.0.1',
    SLACK_BOT_TOKEN: 'xoxb-test',
    SLACK_SIGNING_SECRET,
    SLACK_API_URL: slack.apiUrl,
    AIRLOCK_WEBHOOK_SECRET: WEBHOOK_SECRET,
    AIRLOCK_CALLBACK_SECRET: CALLBACK_SECRET,
  };
  const config = testConfig({ AIRLOCK_HOME: home, AIRLOCK_APPROVERS: '' });
  const workers = await startTestWorkers({ config, env });
  const logger = createLogger({ level: process.env.LOG_LEVEL ?? 'warn', name: 'airlock-api-test' });
  const servers: ApiServer[] = [];
  const startApi = async (extraEnv: Record<string, string>) => {
    const server = await startApiServer({ config, logger, env: { ...env, ...extraEnv } });
    servers.push(server);
    return server;
  };
  const api = await startApi({});
  const tokens = new TokenStore(tokenFilePath(home));
  return {
    workers,
    api,
    slack,
    webhook,
    policyFile,
    writePolicy,
    tokenFor: (principal, roles = ['agent', 'approver']) => tokens.create(principal, { roles }).token,
    home,
    async call(method, url, callOptions = {}) {
      const response = await fetch(url.startsWith('http') ? url : `${api.url}${url}`, {
        method,
        headers: {
          ...callOptions.headers,
          ...(callOptions.token ? { authorization: `Bearer ${callOptions.token}` } : {}),
          ...(callOptions.body !== undefined ? { 'content-type': 'application/json' } : {}),
        },
        ...(callOptions.body !== undefined ? { body: JSON.stringify(callOptions.body) } : {}),
      });
      const text = await response.text();
      return { status: response.status, body: text ? JSON.parse(text) : undefined, headers: response.headers };
    },
    startApi,
    async stop() {
      for (const server of servers) await server.close();
      await workers.stop();
      await slack.close();
      await webhook.close();
    },
  };
}
