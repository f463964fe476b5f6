/**
 * Mutual TLS to Temporal (docs/deploy.md "TLS to Temporal"): the test server sits behind a TLS endpoint that
 * demands a client certificate from the deployment's CA. Workers, the API server, the SDK and the CLI configured
 * with TEMPORAL_TLS_* complete a run through it; a client with no certificate, or with one from another CA, is
 * refused before it can send a single request.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { AirlockClient } from '../../client/sdk.js';
import { TemporalUnavailableError } from '../../client/errors.js';
import type { AirlockConfig } from '../../platform/config.js';
import { createLogger } from '../../platform/logger.js';
import { TemporalTlsError } from '../../platform/temporal-tls.js';
import { tokenFilePath, TokenStore } from '../../platform/token-store.js';
import { ensureSigningKey } from '../../server/decision-signer.js';
import { startApiServer, type ApiServer } from '../../server/start-api-server.js';
import { runWorkers } from '../../workers/run-workers.js';
import { runCli } from '../support/cli.js';
import { runTestWorkers, testConfig, uniqueId, workflowBundle } from '../support/temporal.js';
import { createTestPki, startTlsFront, type CertificateFiles, type TestPki, type TlsFront } from '../support/tls-fixtures.js';

/** The name on the server certificate; the address is a loopback IP, so clients need the override. */
const SERVER_NAME = 'temporal.airlock.test';

void describe('Temporal over mutual TLS', () => {
  let pki: TestPki;
  let front: TlsFront;
  let ca: CertificateFiles;
  let client: CertificateFiles;
  let strangerClient: CertificateFiles;
  let config: AirlockConfig;
  let tlsEnv: Record<string, string>;
  let workers: { stop(): Promise<void> } | undefined;
  let api: ApiServer | undefined;

  before(async () => {
    pki = await createTestPki();
    ca = await pki.ca('airlock-deployment-ca');
    const server = await pki.leaf('temporal-frontend', ca, { server: SERVER_NAME });
    client = await pki.leaf('airlock-worker', ca, 'client');
    const otherCa = await pki.ca('someone-elses-ca');
    strangerClient = await pki.leaf('stranger', otherCa, 'client');
    front = await startTlsFront({ upstream: testConfig().TEMPORAL_ADDRESS, server, clientCa: ca.cert });
    tlsEnv = {
      TEMPORAL_ADDRESS: front.address,
      TEMPORAL_TLS_CERT: client.cert,
      TEMPORAL_TLS_KEY: client.key,
      TEMPORAL_TLS_CA: ca.cert,
      TEMPORAL_TLS_SERVER_NAME: SERVER_NAME,
    };
    config = testConfig({ ...tlsEnv, AIRLOCK_HOME: path.join(pki.dir, 'home'), AIRLOCK_APPROVERS: '' });
    ensureSigningKey(config.home);
  });

  after(async () => {
    await api?.close();
    await workers?.stop();
    await front?.close();
    await pki?.remove();
  });

  void it('runs an action end to end with workers, the API server, the SDK and the CLI all on client certificates', async () => {
    workers = await runTestWorkers(config);
    const logger = createLogger({ level: process.env.LOG_LEVEL ?? 'warn', name: 'airlock-tls-test' });
    api = await startApiServer({ config, logger, env: { ...process.env, ...tlsEnv, AIRLOCK_HTTP_PORT: '0', AIRLOCK_HTTP_HOST: '127.0.0.1' } });
    const token = new TokenStore(tokenFilePath(config.home)).create('tls-agent', { roles: ['agent'] }).token;

    // Started over HTTP: the API server's own Temporal connection is the TLS one.
    const started = await fetch(`${api.url}/v1/runs`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ agent: 'tls-agent', closeWhenDone: true, actions: [{ language: 'python', code: 'print(6 * 7)' }] }),
    });
    assert.equal(started.status, 201, await started.clone().text());
    const { runId } = (await started.json()) as { runId: string };

    const sdk = await AirlockClient.connect(config);
    try {
      const done = await sdk.waitForRun(runId);
      assert.equal(done.actions[0]?.status, 'succeeded');
      assert.equal(done.actions[0]?.result?.stdout.text, '42\n');
    } finally {
      await sdk.disconnect();
    }

    const status = await runCli(['status', runId, '--json'], { ...process.env, ...tlsEnv, AIRLOCK_TASK_QUEUE: config.AIRLOCK_TASK_QUEUE, AIRLOCK_HOME: config.home });
    assert.equal(status.code, 0, status.stderr);
    assert.equal(JSON.parse(status.stdout).actions[0].status, 'succeeded');
    assert.equal(front.refused.length, 0, `no handshake of Airlock's own processes was refused: ${front.refused.join('; ')}`);
    assert.ok(front.authorized >= 4, `workers, API (two connections), SDK and CLI came through the TLS front (${front.authorized})`);
  });

  void it('refuses a client without a certificate, and its message says it was TLS', async () => {
    const before = front.refused.length;
    const noCert = testConfig({ TEMPORAL_ADDRESS: front.address, TEMPORAL_TLS_CA: ca.cert, TEMPORAL_TLS_SERVER_NAME: SERVER_NAME });
    await assert.rejects(AirlockClient.connect(noCert), (err: unknown) => {
      assert.ok(err instanceof TemporalUnavailableError, String(err));
      assert.equal(err.tls, true);
      assert.match(err.message, /over TLS.*TEMPORAL_TLS_CERT/);
      return true;
    });
    assert.ok(front.refused.length > before, 'the TLS endpoint refused the handshake');
    assert.ok(front.refused.slice(before).some((reason) => /certificate/i.test(reason)), front.refused.join('; '));
  });

  void it('refuses a client and a worker whose certificate comes from another CA', async () => {
    const stranger = testConfig({
      TEMPORAL_ADDRESS: front.address,
      TEMPORAL_TLS_CERT: strangerClient.cert,
      TEMPORAL_TLS_KEY: strangerClient.key,
      TEMPORAL_TLS_CA: ca.cert,
      TEMPORAL_TLS_SERVER_NAME: SERVER_NAME,
    });
    const before = front.refused.length;
    await assert.rejects(AirlockClient.connect(stranger), TemporalUnavailableError);
    await assert.rejects(
      runWorkers({
        config: { ...stranger, AIRLOCK_TASK_QUEUE: uniqueId('stranger') },
        logger: createLogger({ level: 'silent' }),
        workflowBundle: await workflowBundle(),
        roles: { control: true, sandbox: false },
      }),
    );
    assert.ok(front.refused.length >= before + 2, `both handshakes were refused (${front.refused.slice(before).join('; ')})`);
  });

  void it('refuses a plain-text client at the TLS endpoint', async () => {
    const plain = testConfig({ TEMPORAL_ADDRESS: front.address });
    await assert.rejects(AirlockClient.connect(plain, { connectTimeoutMs: 2_000 }), TemporalUnavailableError);
  });

  void it('stops at a half-configured set before connecting, naming the missing variable', async () => {
    const halves = testConfig({ TEMPORAL_ADDRESS: front.address, TEMPORAL_TLS_CERT: client.cert, TEMPORAL_TLS_CA: ca.cert });
    await assert.rejects(AirlockClient.connect(halves), (err: unknown) => {
      assert.ok(err instanceof TemporalTlsError);
      assert.equal(err.variable, 'TEMPORAL_TLS_KEY');
      return true;
    });
    const cli = await runCli(['list'], { ...process.env, TEMPORAL_ADDRESS: front.address, TEMPORAL_TLS_KEY: client.key, AIRLOCK_HOME: config.home });
    assert.equal(cli.code, 2, cli.stderr);
    assert.match(cli.stderr, /TEMPORAL_TLS_KEY is set but TEMPORAL_TLS_CERT is not/);
  });
});
