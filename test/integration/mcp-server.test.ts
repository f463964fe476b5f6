/**
 * The MCP server against a live stack, driven by the MCP SDK's own client: over streamable HTTP at /mcp (behind
 * the API's token auth) and over stdio (`airlock mcp`, which speaks to the HTTP API with AIRLOCK_TOKEN). Benign
 * code runs to a real result, flagged code comes back as "awaiting approval", a denial comes back as a denial.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { startApiStack, type ApiStack } from '../support/api-stack.js';
import { ALICE_AND_APPROVER_BOB } from '../support/policies.js';
import { CLI_PATH } from '../support/cli.js';

const FLAGGED_CODE = 'import subprocess\nprint(subprocess.run(["echo", "flagged"], capture_output=True, text=True).stdout)';


interface ToolText {
  isError?: boolean;
  content: { type: string; text?: string }[];
}

const texts = (result: unknown) => (result as ToolText).content.map((c) => c.text ?? '');

void describe('MCP server', () => {
  let stack: ApiStack;
  let alice: string;
  let bob: string;
  const clients: Client[] = [];

  before(async () => {
    stack = await startApiStack({ policy: ALICE_AND_APPROVER_BOB });
    alice = stack.tokenFor('alice');
    bob = stack.tokenFor('bob');
  });
  after(async () => {
    for (const client of clients) await client.close().catch(() => undefined);
    await stack?.stop();
  });

  const httpClient = async (token: string) => {
    const client = new Client({ name: 'airlock-test', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(`${stack.api.url}/mcp`), { requestInit: { headers: { authorization: `Bearer ${token}` } } }));
    clients.push(client);
    return client;
  };

  const stdioClient = async (token: string) => {
    const client = new Client({ name: 'airlock-test', version: '1.0.0' });
    const env: Record<string, string> = { PATH: process.env.PATH ?? '', AIRLOCK_URL: stack.api.url, AIRLOCK_TOKEN: token };
    await client.connect(new StdioClientTransport({ command: process.execPath, args: [CLI_PATH, 'mcp'], env, stderr: 'ignore' }));
    clients.push(client);
    return client;
  };

  void it('lists the tools and runs benign code to a real result over streamable HTTP', async () => {
    const client = await httpClient(alice);
    const { tools } = await client.listTools();
    assert.deepEqual(tools.map((t) => t.name).sort(), ['get_artifact', 'get_run', 'list_runs', 'run_code']);

    const result = await client.callTool({ name: 'run_code', arguments: { language: 'python', code: 'print(sum(range(10)))' } });
    assert.notEqual((result as ToolText).isError, true, texts(result).join('\n'));
    const summary = JSON.parse(texts(result)[0]!) as { runId: string; actions: { status: string; result: { exitCode: number; stdout: { text: string } } }[] };
    assert.equal(summary.actions[0]?.status, 'succeeded');
    assert.equal(summary.actions[0]?.result.stdout.text, '45\n');

    const run = await stack.call('GET', `/v1/runs/${summary.runId}`, { token: alice });
    assert.equal(run.body.requester, 'alice', "the run is the token principal's");
  });

  void it('answers "awaiting approval" for flagged code over stdio, then reports the denial', async () => {
    const client = await stdioClient(alice);
    const waiting = await client.callTool({ name: 'run_code', arguments: { language: 'python', code: FLAGGED_CODE, waitSeconds: 30 } });
    const [headline, json] = texts(waiting);
    assert.match(headline!, /^awaiting approval: run run-\w+ \(risk medium\) waits for a human; open http:\/\/127\.0\.0\.1:\d+\/runs\/run-\w+$/);
    const runId = (JSON.parse(json!) as { runId: string }).runId;

    const denied = await stack.call('POST', `/v1/runs/${runId}/actions/a1/decision`, { token: bob, body: { decision: 'deny', reason: 'not today' } });
    assert.equal(denied.status, 200, JSON.stringify(denied.body));

    const after = await client.callTool({ name: 'get_run', arguments: { runId } });
    const state = JSON.parse(texts(after)[0]!) as { actions: { status: string; decisions: { decision: string; approver: string }[] }[] };
    assert.equal(state.actions[0]?.status, 'denied');
    assert.deepEqual(state.actions[0]?.decisions.map((d) => [d.decision, d.approver]), [['deny', 'bob']]);
  });

  void it('returns a denial as a denial to a retried run_code with the same idempotency key', async () => {
    const client = await httpClient(alice);
    const call = () =>
      client.callTool({ name: 'run_code', arguments: { language: 'python', code: FLAGGED_CODE, agent: 'mcp-deny', idempotencyKey: 'mcp-deny-1', waitSeconds: 30 } });
    const first = await call();
    assert.match(texts(first)[0]!, /^awaiting approval/);
    const runId = (JSON.parse(texts(first)[1]!) as { runId: string }).runId;
    const decided = await stack.call('POST', `/v1/runs/${runId}/actions/a1/decision`, { token: bob, body: { decision: 'deny', reason: 'no shell' } });
    assert.equal(decided.status, 200, JSON.stringify(decided.body));

    const again = await call();
    assert.equal((again as ToolText).isError, true);
    assert.equal(texts(again)[0], 'denied: the code did not run (bob: no shell)');
    assert.equal((JSON.parse(texts(again)[1]!) as { runId: string }).runId, runId, 'the retry found the first run');
  });

  void it('reads the full output of a run through get_artifact with that run, and only with it, for an agent-only token', async () => {
    // stdio: the `airlock mcp` process reads through the HTTP client, which must pass the run id on.
    const agentOnly = stack.tokenFor('alice', ['agent']);
    const client = await stdioClient(agentOnly);
    const result = await client.callTool({ name: 'run_code', arguments: { language: 'python', code: 'print("x" * 40000)' } });
    assert.notEqual((result as ToolText).isError, true, texts(result).join('\n'));
    const summary = JSON.parse(texts(result)[0]!) as { runId: string; actions: { result: { stdout: { text: string; complete?: boolean; sha256?: string } } }[] };
    const stdout = summary.actions[0]!.result.stdout;
    assert.equal(stdout.complete, false, 'the inline stdout is cut');
    assert.match(stdout.sha256 ?? '', /^[0-9a-f]{64}$/);

    const withoutRun = await client.callTool({ name: 'get_artifact', arguments: { sha256: stdout.sha256 } });
    assert.equal((withoutRun as ToolText).isError, true, 'a sha256 alone is no capability for an agent');
    assert.match(texts(withoutRun)[0]!, /runId/);

    const withRun = await client.callTool({ name: 'get_artifact', arguments: { sha256: stdout.sha256, runId: summary.runId } });
    assert.notEqual((withRun as ToolText).isError, true, texts(withRun).join('\n'));
    const artifact = JSON.parse(texts(withRun)[0]!) as { sha256: string; encoding: string; content: string };
    assert.deepEqual([artifact.sha256, artifact.encoding, artifact.content], [stdout.sha256, 'utf8', `${'x'.repeat(40000)}\n`]);
  });

  void it('gives clear tool errors for bad input and refusals, never a stack trace', async () => {
    const client = await httpClient(alice);
    const badLanguage = await client.callTool({ name: 'run_code', arguments: { language: 'cobol', code: 'DISPLAY "X"' } }).catch((err: Error) => ({ isError: true, content: [{ type: 'text', text: err.message }] }));
    assert.equal((badLanguage as ToolText).isError, true);
    assert.match(texts(badLanguage).join('\n'), /language/i);
    assert.doesNotMatch(texts(badLanguage).join('\n'), /\n\s+at /, 'no stack trace');

    const unknownRun = await client.callTool({ name: 'get_run', arguments: { runId: 'run-doesnotexist' } });
    assert.equal((unknownRun as ToolText).isError, true);
    assert.match(texts(unknownRun)[0]!, /^Airlock refused or failed: .*run-doesnotexist/);

    const tooBig = await client.callTool({ name: 'run_code', arguments: { language: 'python', code: 'x', timeoutSec: 999_999 } });
    assert.equal((tooBig as ToolText).isError, true);
    assert.match(texts(tooBig)[0]!, /^Airlock refused or failed: invalid run:/);
  });

  void it('refuses /mcp without a valid token', async () => {
    const response = await fetch(`${stack.api.url}/mcp`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
    });
    assert.equal(response.status, 401);
  });
});
