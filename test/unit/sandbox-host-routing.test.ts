import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError } from '../../platform/config.js';
import { planSandboxHost } from '../../workers/sandbox-host.js';
import { sandboxTaskQueueForExecution } from '../../workflows/task-queues.js';

const plan = (env: NodeJS.ProcessEnv, engineRuntimes: string[]) =>
  planSandboxHost({ controlTaskQueue: 'airlock', env, engineRuntimes, imageId: 'sha256:0123456789abcdef0123', hostname: 'host-a' });

void describe('sandbox host routing', () => {
  void it('sends strong isolation that must not fall back to the queue only gVisor hosts poll', () => {
    assert.equal(sandboxTaskQueueForExecution('airlock', { isolation: 'strong', whenStrongUnavailable: 'fail' }), 'airlock-sandbox-strong');
    assert.equal(sandboxTaskQueueForExecution('airlock', { isolation: 'strong' }), 'airlock-sandbox-strong');
    assert.equal(sandboxTaskQueueForExecution('airlock', { isolation: 'strong', whenStrongUnavailable: 'fallback' }), 'airlock-sandbox');
    assert.equal(sandboxTaskQueueForExecution('airlock', { isolation: 'standard' }), 'airlock-sandbox');
    assert.equal(sandboxTaskQueueForExecution('airlock', {}), 'airlock-sandbox');
  });

  void it('polls the strong queue only where the engine has runsc', () => {
    assert.deepEqual(plan({}, ['runc']).queues.map((q) => q.taskQueue), ['airlock-sandbox']);
    assert.deepEqual(plan({}, ['runc', 'runsc']).queues.map((q) => q.taskQueue), ['airlock-sandbox', 'airlock-sandbox-strong']);
    assert.deepEqual(plan({ AIRLOCK_SANDBOX_RUNTIMES: 'runsc' }, ['runc', 'runsc']).queues.map((q) => q.taskQueue), ['airlock-sandbox-strong']);
    assert.deepEqual(plan({ AIRLOCK_SANDBOX_RUNTIMES: 'runc' }, ['runc', 'runsc']).queues.map((q) => q.taskQueue), ['airlock-sandbox']);
  });

  void it('refuses to advertise runsc on an engine without it', () => {
    assert.throws(() => plan({ AIRLOCK_SANDBOX_RUNTIMES: 'runc,runsc' }, ['runc']), (err: unknown) => err instanceof ConfigError && /lists runsc/.test(err.message));
    assert.throws(() => plan({ AIRLOCK_SANDBOX_RUNTIMES: 'kata' }, ['runc']), /AIRLOCK_SANDBOX_RUNTIMES/);
  });

  void it('takes capacity per queue and names the host with what it can run', () => {
    const host = plan({ AIRLOCK_SANDBOX_CAPACITY: '6', AIRLOCK_SANDBOX_STRONG_CAPACITY: '2', AIRLOCK_WORKER_IDENTITY: 'sandbox-a' }, ['runc', 'runsc']);
    assert.deepEqual(
      host.queues.map((q) => [q.kind, q.capacity]),
      [
        ['standard', 6],
        ['strong', 2],
      ],
    );
    assert.equal(host.identity, 'sandbox-a sandbox runtimes=runc,runsc image=0123456789ab');
    assert.equal(plan({ AIRLOCK_SANDBOX_CAPACITY: '3' }, ['runc', 'runsc']).queues[1]?.capacity, 3, 'strong capacity defaults to the common one');
    assert.throws(() => plan({ AIRLOCK_SANDBOX_CAPACITY: '0' }, ['runc']), /AIRLOCK_SANDBOX_CAPACITY/);
  });
});
