/**
 * POST /v1/runs/execute: a one-shot run in one HTTP request, held to the rules of starting a run and submitting an
 * action (roles, the token's principal as requester, idempotency keys per principal), and nothing more.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startApiStack, type ApiStack } from '../support/api-stack.js';
import { startedRunIds } from '../support/runs.js';
import { uniqueId } from '../support/temporal.js';

const policy = () => `principals:
  - { id: alice, roles: [developer] }
  - { id: bob, roles: [developer] }
`;
const MEDIUM_CODE = 'import subprocess\nprint(subprocess.run(["echo", "held"], capture_output=True, text=True).stdout.strip())';

void describe('POST /v1/runs/execute', () => {
  let stack: ApiStack;
  let alice: string;
  before(async () => {
    stack = await startApiStack({ policy });
    alice = stack.tokenFor('alice', ['agent']);
  });
  after(async () => {
    await stack?.stop();
  });

  const execute = (token: string, body: unknown, headers: Record<string, string> = {}) =>
    stack.call('POST', '/v1/runs/execute', { token, body, headers });

  void it('starts the run as the token principal and answers with its result', async () => {
    const answer = await execute(alice, { agent: 'exec-agent', actions: [{ language: 'python', code: 'print(2 ** 10)' }] });
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    startedRunIds.add(answer.body.runId);
    assert.equal(answer.body.done, true);
    assert.equal(answer.body.requester, 'alice');
    assert.equal(answer.body.run.requester, 'alice');
    assert.equal(answer.body.run.actions[0].status, 'succeeded');
    assert.equal(answer.body.run.actions[0].result.stdout.text, '1024\n');
  });

  void it('answers done: false with the run as it stands when the action waits for a human past waitMs', async () => {
    const answer = await execute(alice, { agent: 'exec-agent', actions: [{ language: 'python', code: MEDIUM_CODE }], waitMs: 3_000, approvalTimeoutMs: 60_000 });
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    startedRunIds.add(answer.body.runId);
    assert.equal(answer.body.done, false);
    assert.equal(answer.body.run.actions[0].status, 'awaiting_approval', 'the code did not run without a human');
  });

  void it('refuses tokens without the agent or admin role, bodies without actions, and fields the caller may not set', async () => {
    const body = { agent: 'exec-agent', actions: [{ language: 'python', code: 'print(1)' }] };
    for (const role of ['viewer', 'approver'] as const) {
      const refused = await execute(stack.tokenFor('vera', [role]), body);
      assert.equal(refused.status, 403, `${role}: ${JSON.stringify(refused.body)}`);
      assert.match(refused.body.error.message, /executeRun needs the role agent or admin/);
    }
    const empty = await execute(alice, { agent: 'exec-agent', actions: [] });
    assert.equal(empty.status, 400);
    assert.match(empty.body.error.message, /at least one action/);
    for (const field of [{ requester: 'bob' }, { carryOver: { policy: {} } }, { closeWhenDone: false }]) {
      const sneaky = await execute(alice, { ...body, ...field });
      assert.equal(sneaky.status, 400, `${JSON.stringify(field)} is refused: ${JSON.stringify(sneaky.body)}`);
    }
    assert.equal((await execute('not-a-token', body)).status, 401);
  });

  void it('keeps idempotency keys per principal: a retry returns the first run, another principal gets its own', async () => {
    const key = uniqueId('exec');
    const body = { agent: 'exec-agent', actions: [{ language: 'python', code: 'print("keyed")' }] };
    const first = await execute(alice, body, { 'Idempotency-Key': key });
    assert.equal(first.status, 200, JSON.stringify(first.body));
    startedRunIds.add(first.body.runId);
    const retry = await execute(alice, body, { 'Idempotency-Key': key });
    assert.equal(retry.body.runId, first.body.runId);
    assert.equal(retry.body.run.actions.length, 1, 'nothing ran twice');
    const bob = await execute(stack.tokenFor('bob', ['agent']), body, { 'Idempotency-Key': key });
    startedRunIds.add(bob.body.runId);
    assert.notEqual(bob.body.runId, first.body.runId, "bob's key never names alice's run");
    assert.equal(bob.body.run.requester, 'bob');
  });
});
