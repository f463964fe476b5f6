/**
 * The Python SDK (sdk/python) against a live stack: real workers on the test Temporal server and the real HTTP API.
 * Its own unittest suite runs in a python3 child process with the stack's address and tokens in the environment.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { startApiStack, type ApiStack } from '../support/api-stack.js';
import { eventually } from '../support/cli.js';
import { uniqueId } from '../support/temporal.js';

const PROJECT_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
/** Test methods in sdk/python/tests (unit and live); a test that silently stops being collected fails this. */
const EXPECTED_PYTHON_TESTS = 44;
const REQUESTER = 'sdk-agent';
const APPROVER = 'sdk-approver';

// The agent's principal may only request; the approver is a different principal with the approving role.
const POLICY = `principals:
  - { id: ${REQUESTER}, roles: [developer] }
  - { id: ${APPROVER}, roles: [approver] }
levels:
  medium:
    mode: human
    roles: [approver]
    quorum: 1
`;

function run(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; output: string; error?: Error }> {
  return new Promise((resolve) => {
    // Asynchronous on purpose: the API and the workers live in this process and must keep serving meanwhile.
    const child = spawn(command, args, { cwd: PROJECT_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', (error) => resolve({ code: null, output, error }));
    child.on('close', (code) => resolve({ code, output }));
  });
}

describe('Python SDK', () => {
  let stack: ApiStack;
  before(async () => {
    stack = await startApiStack({ policy: () => POLICY });
  });
  after(async () => {
    await stack?.stop();
  });

  it('passes its unittest suite against the live API', { timeout: 10 * 60_000 }, async () => {
    const version = await run('python3', ['--version'], process.env);
    assert.ok(!version.error && version.code === 0, `python3 must be on PATH to test the Python SDK (${version.error?.message ?? version.output})`);

    const limited = await stack.startApi({ AIRLOCK_API_RATE_LIMIT: '60' });
    const agentPrefix = uniqueId('pysdk');
    const result = await run('python3', ['-m', 'unittest', 'discover', '-s', 'sdk/python/tests', '-v'], {
      ...process.env,
      PYTHONPATH: 'sdk/python',
      PYTHONDONTWRITEBYTECODE: '1',
      AIRLOCK_URL: stack.api.url,
      // The agent's tokens carry the agent role only, as a deployed agent's would: a reader role would let it read
      // any artifact by its sha256 alone, which the suite checks it cannot.
      AIRLOCK_AGENT_TOKEN: stack.tokenFor(REQUESTER, ['agent']),
      AIRLOCK_APPROVER_TOKEN: stack.tokenFor(APPROVER),
      AIRLOCK_REQUESTER: REQUESTER,
      AIRLOCK_APPROVER: APPROVER,
      AIRLOCK_LIMITED_URL: limited.url,
      AIRLOCK_LIMITED_TOKEN: stack.tokenFor(REQUESTER),
      AIRLOCK_SDK_AGENT: agentPrefix,
    });
    assert.equal(result.code, 0, `python -m unittest failed:\n${result.output.slice(-8_000)}`);
    // A bare OK: unittest would print `OK (skipped=…)` had any test been skipped.
    assert.match(result.output, /^OK$/m);
    const ran = /^Ran (\d+) tests? in /m.exec(result.output);
    assert.equal(Number(ran?.[1]), EXPECTED_PYTHON_TESTS, `unittest ran ${ran?.[1] ?? 'no'} tests:\n${result.output.slice(-4_000)}`);

    // Seen from the server: the SDK's runs exist, and one was approved by the approver through the API.
    const approver = stack.tokenFor(APPROVER);
    const riskyRunId = await eventually('the risky run of the sync suite in the run list', async () => {
      const listed = await stack.call('GET', '/v1/runs?limit=500', { token: approver });
      const ours = (listed.body.runs as { runId: string; agent?: string }[]).filter((r) => r.agent?.startsWith(`${agentPrefix}.risky-`));
      return ours.length === 1 ? ours[0]!.runId : undefined;
    });
    const risky = await stack.call('GET', `/v1/runs/${riskyRunId}`, { token: approver });
    assert.deepEqual(
      risky.body.actions[0].decisions.map((d: { approver: string; channel: string; decision: string }) => [d.approver, d.channel, d.decision]),
      [[APPROVER, 'api', 'approve']],
    );
    assert.equal(risky.body.actions[0].result.stdout.text, 'approved-ok\n');
  });
});
