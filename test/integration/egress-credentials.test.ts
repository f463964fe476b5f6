/**
 * Secrets added by the egress proxy, end to end on this machine: real Temporal, real Docker, servers on loopback.
 * The sandboxed code calls an HTTPS API that answers only with the right bearer token, without holding any token;
 * another listed host gets nothing; a header the code sets itself is replaced; and the value is found nowhere in
 * what Airlock stored (history, worker logs, the state folder with its artifacts, outputs).
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import proto from '@temporalio/proto';
import pino from 'pino';
import YAML from 'yaml';
import { CREDENTIAL_RULE_IDS } from '../../policy/credential-binding.js';
import { REDACTED_PATHS } from '../../platform/logger.js';
import { secretMask } from '../../schemas/credentials.js';
import { ActionCertificateAuthority } from '../../sandbox/network/action-ca.js';
import { closeUpdate, submitActionUpdate } from '../../workflows/messages.js';
import { writePrivateDestinationsPolicy } from '../support/private-destinations-policy.js';
import { actionIs, startRun, waitForRun } from '../support/runs.js';
import { decideSigned } from '../support/signed-decision.js';
import { startTestWorkers, testConfig, type TestWorkers } from '../support/temporal.js';

const CLI = fileURLToPath(new URL('../../cli/main.js', import.meta.url));

/** Runs the compiled CLI with `input` on stdin; a non-zero exit is returned, not thrown. */
function airlock(args: string[], env: NodeJS.ProcessEnv, input = ''): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(process.execPath, [CLI, ...args], { env, timeout: 60_000 }, (err, stdout, stderr) =>
      resolve({ code: err ? ((err as { code?: number }).code ?? -1) : 0, stdout, stderr }),
    );
    child.stdin?.end(input);
  });
}

interface Seen {
  path: string;
  authorization?: string;
  apiKey?: string;
}

/** A server on loopback that records the credential headers of each request it gets. */
async function listen(server: http.Server | https.Server): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: '127.0.0.1', port: 0 }, () => resolve());
  });
  return (server.address() as AddressInfo).port;
}

function recordingHandler(seen: Seen[], answer: (req: http.IncomingMessage) => [number, string]) {
  return (req: http.IncomingMessage, res: http.ServerResponse) => {
    seen.push({
      path: req.url ?? '',
      ...(req.headers.authorization !== undefined ? { authorization: req.headers.authorization } : {}),
      ...(typeof req.headers['x-api-key'] === 'string' ? { apiKey: req.headers['x-api-key'] } : {}),
    });
    const [status, body] = answer(req);
    res.writeHead(status, { 'content-type': 'text/plain', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  };
}

/** Every file under `dir`, recursively. */
async function filesUnder(dir: string): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) found.push(...(await filesUnder(full)));
    else if (entry.isFile()) found.push(full);
  }
  return found;
}

/** The forms a value could be stored in: as it is, and base64 at each of the three alignments. */
function needles(value: string): Buffer[] {
  const raw = Buffer.from(value, 'utf8');
  const forms = [raw];
  for (let shift = 0; shift < 3; shift++) {
    const encoded = Buffer.concat([Buffer.alloc(shift), raw]).toString('base64');
    // Drop the characters that depend on the padding bytes and the end.
    forms.push(Buffer.from(encoded.slice(Math.ceil((8 * shift) / 6), -4), 'ascii'));
  }
  return forms;
}

function contains(haystack: Buffer, value: string): boolean {
  return needles(value).some((needle) => haystack.includes(needle));
}

void describe('secrets added by the egress proxy', { timeout: 240_000 }, () => {
  const API_TOKEN = `sk_test_${randomBytes(24).toString('hex')}`;
  const API_KEY = `key_${randomBytes(20).toString('hex')}`;
  let dir: string;
  let home: string;
  let stack: TestWorkers;
  let apiServer: https.Server;
  let otherServer: http.Server;
  let keyedServer: http.Server;
  let apiPort: number;
  let otherPort: number;
  let keyedPort: number;
  const apiSeen: Seen[] = [];
  const otherSeen: Seen[] = [];
  const keyedSeen: Seen[] = [];
  const logLines: string[] = [];
  const runIds: string[] = [];

  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'airlock-credentials-'));
    home = path.join(dir, 'home');
    // The API's own certificate authority: the worker trusts it through AIRLOCK_EGRESS_UPSTREAM_CA, as a
    // deployment would trust an internal API's CA.
    const upstreamCa = new ActionCertificateAuthority({ label: 'test upstream', lifetimeMs: 3_600_000 });
    const leaf = upstreamCa.issue('127.0.0.1');
    const caFile = path.join(dir, 'upstream-ca.pem');
    await writeFile(caFile, upstreamCa.certPem);

    apiServer = https.createServer(
      { cert: leaf.certPem, key: leaf.keyPem },
      recordingHandler(apiSeen, (req) => {
        const authorized = req.headers.authorization === `Bearer ${API_TOKEN}`;
        if (!authorized) return [401, 'no valid token'];
        // /echo answers with the header it got: what a careless API might do, and what masking is for.
        return req.url === '/echo' ? [200, `you sent ${req.headers.authorization}`] : [200, 'hello from the api'];
      }),
    );
    otherServer = http.createServer(recordingHandler(otherSeen, (req) => [200, `other auth=${req.headers.authorization ?? 'none'}`]));
    keyedServer = http.createServer(recordingHandler(keyedSeen, (req) => (req.headers['x-api-key'] === API_KEY ? [200, 'keyed ok'] : [403, 'keyed refused'])));
    [apiPort, otherPort, keyedPort] = await Promise.all([listen(apiServer), listen(otherServer), listen(keyedServer)]);

    const policyFile = await writePrivateDestinationsPolicy(dir, ['127.0.0.1', 'localhost']);
    const policy = YAML.parse(await readFile(policyFile, 'utf8')) as Record<string, unknown>;
    policy.credentials = {
      secrets: {
        api: { destinations: [`127.0.0.1:${apiPort}`] },
        keyed: { destinations: [`127.0.0.1:${keyedPort}`], apply: { as: 'header', header: 'X-Api-Key' } },
        elsewhere: { destinations: ['api.example.com:443'] },
      },
    };
    await writeFile(policyFile, YAML.stringify(policy));

    const config = testConfig({ AIRLOCK_HOME: home });
    const env = { ...process.env, AIRLOCK_HOME: home, AIRLOCK_POLICY: policyFile, AIRLOCK_EGRESS_UPSTREAM_CA: caFile };
    // The secrets go in the way an operator puts them: `airlock secret set` with the value on stdin.
    for (const [name, value] of [['api', API_TOKEN], ['keyed', API_KEY]] as const) {
      const set = await airlock(['secret', 'set', name], { ...env, AIRLOCK_SECRETS_KEY: '' }, `${value}\n`);
      assert.equal(set.code, 0, set.stderr);
      assert.doesNotMatch(set.stdout + set.stderr, new RegExp(value));
    }
    // Every line the workers log, at debug, with the production redaction: searched for the values later.
    const sink = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        logLines.push(chunk.toString('utf8'));
        callback();
      },
    });
    const logger = pino({ level: 'debug', redact: { paths: REDACTED_PATHS, censor: '[redacted]' } }, sink);
    stack = await startTestWorkers({ config, env, logger });
  });

  after(async () => {
    await stack?.stop();
    for (const server of [apiServer, otherServer, keyedServer]) {
      server?.closeAllConnections();
      await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    }
    await rm(dir, { recursive: true, force: true });
  });

  void it('lists names only and keeps the values encrypted at rest with a 0600 key', async () => {
    const listed = await airlock(['secret', 'list', '--json'], { ...process.env, AIRLOCK_HOME: home });
    assert.equal(listed.code, 0, listed.stderr);
    assert.deepEqual((JSON.parse(listed.stdout) as { file: string[] }).file, ['api', 'keyed']);
    const keyMode = (await stat(path.join(home, 'secrets', 'secrets.key'))).mode & 0o777;
    assert.equal(keyMode, 0o600);
    const sealed = await readFile(path.join(home, 'secrets', 'secrets.json'));
    assert.ok(sealed.includes(Buffer.from('"api"')), 'the file names the secret');
    assert.equal(contains(sealed, API_TOKEN), false, 'the file does not hold the value in the clear');
  });

  void it('reaches the API without holding the token; other hosts get none; the code\'s own header is replaced', async () => {
    const code = [
      'import hashlib, os, urllib.request, urllib.error',
      'def get(url, headers={}):',
      '    req = urllib.request.Request(url, headers=headers)',
      '    try:',
      '        with urllib.request.urlopen(req, timeout=15) as r:',
      '            return f"{r.status} {r.read().decode()}"',
      '    except urllib.error.HTTPError as e:',
      '        return f"{e.code} {e.read().decode()}"',
      `print(get("https://127.0.0.1:${apiPort}/whoami"))`,
      `echo = get("https://127.0.0.1:${apiPort}/echo", {"Authorization": "Bearer code-own-token"})`,
      'print(echo)',
      `print(get("http://127.0.0.1:${otherPort}/other"))`,
      `print(get("http://127.0.0.1:${keyedPort}/keyed", {"X-Api-Key": "code-own-key"}))`,
      'open("/workspace/echo.txt", "w").write(echo)',
      // What the container holds in its environment, as hashes: the test checks the tokens are not among them.
      'for k, v in sorted(os.environ.items()):',
      '    print("env", hashlib.sha256(v.encode()).hexdigest())',
    ].join('\n');
    const handle = await startRun(stack.client, stack.taskQueue, {
      actions: [
        {
          language: 'python',
          code,
          network: { allow: [`127.0.0.1:${apiPort}`, `127.0.0.1:${otherPort}`, `127.0.0.1:${keyedPort}`] },
          credentials: ['api', 'keyed'],
          outputs: ['echo.txt'],
        },
      ],
    });
    runIds.push(handle.workflowId);
    const waiting = await waitForRun(handle, actionIs('a1', 'awaiting_approval'));
    const pending = waiting.actions[0]!;
    assert.ok(pending.risk?.ruleIds.includes(CREDENTIAL_RULE_IDS.used), 'using a secret is a finding');
    assert.notEqual(pending.risk?.level, 'low');
    assert.deepEqual(pending.credentials, [
      { name: 'api', hosts: [`127.0.0.1:${apiPort}`], applied: 'Authorization: Bearer' },
      { name: 'keyed', hosts: [`127.0.0.1:${keyedPort}`], applied: 'header x-api-key' },
    ]);

    // What a reviewer sees in the CLI before approving.
    const status = await airlock(['status', handle.workflowId], stack.env);
    assert.equal(status.code, 0, status.stderr);
    assert.match(status.stdout, new RegExp(`secret api .*127\\.0\\.0\\.1:${apiPort}`));

    await decideSigned(handle, stack.config.home, { actionId: 'a1', decision: 'approve', approver: 'bob', channel: 'cli' });
    const run = await handle.result();
    const action = run.actions[0]!;
    assert.equal(action.status, 'succeeded', action.error ?? action.result?.stderr.text);
    const lines = action.result!.stdout.text.split('\n');
    assert.deepEqual(lines.slice(0, 4), [
      '200 hello from the api',
      // The code sent its own token; the API got the real one, and its echo of it was masked in the output.
      `200 you sent Bearer ${secretMask('api')}`,
      '200 other auth=none',
      '200 keyed ok',
    ]);
    const envHashes = lines.filter((line) => line.startsWith('env ')).map((line) => line.slice(4));
    assert.ok(envHashes.length > 3, 'the code listed its environment');
    for (const value of [API_TOKEN, API_KEY, `Bearer ${API_TOKEN}`]) {
      assert.ok(!envHashes.includes(createHash('sha256').update(value).digest('hex')), 'no secret is in the container\'s environment');
    }

    assert.deepEqual(
      apiSeen.map((s) => [s.path, s.authorization === `Bearer ${API_TOKEN}`]),
      [
        ['/whoami', true],
        ['/echo', true],
      ],
    );
    assert.ok(!apiSeen.some((s) => s.authorization?.includes('code-own-token')), 'the code\'s own header never arrived');
    assert.deepEqual(otherSeen, [{ path: '/other' }], 'the other listed host got no credential');
    assert.deepEqual(keyedSeen, [{ path: '/keyed', apiKey: API_KEY }]);

    const egress = action.result?.egress ?? [];
    const byHost = (port: number) => egress.filter((a) => a.port === port);
    assert.deepEqual(
      byHost(apiPort).map((a) => [a.method, a.verdict, a.credential, a.intercepted ?? false, a.status]),
      [
        ['CONNECT', 'allowed', 'api', true, 200],
        ['GET', 'allowed', 'api', false, 200],
        ['CONNECT', 'allowed', 'api', true, 200],
        ['GET', 'allowed', 'api', false, 200],
      ],
    );
    assert.deepEqual(byHost(otherPort).map((a) => [a.method, a.credential]), [['GET', undefined]]);
    assert.deepEqual(byHost(keyedPort).map((a) => [a.method, a.credential, a.status]), [['GET', 'keyed', 200]]);
    assert.deepEqual(
      action.result?.maskedSecrets?.map((m) => [m.name, m.where, m.occurrences]),
      [
        ['api', 'stdout', 1],
        ['api', 'echo.txt', 1],
      ],
    );
    assert.equal(action.result?.outputFiles?.[0]?.preview, `200 you sent Bearer ${secretMask('api')}`);
  });

  void it('refuses at submission a secret the policy does not bind, or one bound to a host the action does not list', async () => {
    const handle = await startRun(stack.client, stack.taskQueue, { closeWhenDone: false });
    runIds.push(handle.workflowId);
    // The validator judges against the pinned policy (before it is pinned, the pipeline denies instead).
    await waitForRun(handle, (run) => run.policyVersion !== undefined);
    const refusal = async (action: Record<string, unknown>): Promise<string> => {
      try {
        await handle.executeUpdate(submitActionUpdate, { args: [{ language: 'python', code: 'print(1)', ...action } as never] });
      } catch (err) {
        assert.ok(err instanceof WorkflowUpdateFailedError);
        return (err.cause as Error).message;
      }
      assert.fail('the action should have been refused');
    };
    const allow = { network: { allow: [`127.0.0.1:${otherPort}`] } };
    assert.match(await refusal({ ...allow, credentials: ['missing'] }), /secret "missing" is not bound .*bound secrets: api, elsewhere, keyed/);
    assert.match(await refusal({ ...allow, credentials: ['api'] }), new RegExp(`"api" may only be sent to 127\\.0\\.0\\.1:${apiPort}, and this action's network\\.allow lists none`));
    assert.match(await refusal({ credentials: ['api'] }), /credentials are applied by the egress proxy/);
    assert.match(await refusal({ ...allow, credentials: ['Bad Name'] }), /a secret name is 1-64 characters/);
    await handle.executeUpdate(closeUpdate);
  });

  void it('leaves the values nowhere Airlock stored anything: history, worker logs, the state folder, outputs', async () => {
    assert.ok(runIds.length > 0);
    const handle = stack.client.workflow.getHandle(runIds[0]!);
    const history = Buffer.from(proto.temporal.api.history.v1.History.encode(await handle.fetchHistory()).finish());
    // The search can succeed: the history names the secret and its host, just never its value.
    assert.ok(history.includes(Buffer.from('"credential":"api"')), 'the egress record names the secret');
    const logs = Buffer.from(logLines.join(''), 'utf8');
    assert.ok(logs.includes(Buffer.from('egress allowed')), 'the worker logs were captured');
    const stored = await filesUnder(home);
    assert.ok(stored.some((file) => file.includes(`${path.sep}artifacts${path.sep}`)), 'the artifacts are in the state folder');
    for (const value of [API_TOKEN, API_KEY]) {
      assert.equal(contains(history, value), false, 'not in the workflow history');
      assert.equal(contains(logs, value), false, 'not in the worker logs');
      for (const file of stored) assert.equal(contains(await readFile(file), value), false, `not in ${path.relative(home, file)}`);
      const status = await airlock(['status', runIds[0]!, '--json'], stack.env);
      assert.equal(status.code, 0, status.stderr);
      assert.equal(contains(Buffer.from(status.stdout), value), false, 'not in what the CLI shows');
    }
  });
});
