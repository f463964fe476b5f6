import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { formatOwner, parseOwner, sandboxLabels } from '../../sandbox/labels.js';
import { orphanReason } from '../../sandbox/reaper.js';
import { isWorkerInstanceId, newWorkerInstanceId, WorkerLeases } from '../../sandbox/worker-instance.js';

const MODULE = fileURLToPath(new URL('../../sandbox/worker-instance.js', import.meta.url));

void describe('worker instance ids and leases', () => {
  let dir: string;
  let leases: WorkerLeases;
  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'airlock-leases-'));
    leases = new WorkerLeases(dir, 60_000);
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  void it('gives every worker its own id, whatever its pid and host name', () => {
    const ids = new Set(Array.from({ length: 50 }, () => newWorkerInstanceId()));
    assert.equal(ids.size, 50);
    for (const id of ids) assert.ok(isWorkerInstanceId(id), id);
    const id = [...ids][0]!;
    assert.deepEqual(parseOwner(formatOwner({ instance: id })), { instance: id });
    // Containers created before instance ids keep their host:pid owner.
    assert.deepEqual(parseOwner('worker-a:1'), { host: 'worker-a', pid: 1 });
  });

  void it('sees a live worker as alive and a SIGKILLed one as gone at once', async () => {
    const id = newWorkerInstanceId();
    // A separate process holds the lease, as a sandbox worker does.
    const child = spawn(process.execPath, [
      '--input-type=module',
      '-e',
      `const { WorkerLeases } = await import(${JSON.stringify(MODULE)}); await new WorkerLeases(${JSON.stringify(dir)}).hold(${JSON.stringify(id)}); console.log('held'); setInterval(() => {}, 1000);`,
    ], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
    assert.equal(await leases.liveness(id), 'alive');
    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('exit', resolve));
    assert.equal(await leases.liveness(id), 'gone', 'same pid namespace: the kernel says the process is gone');
  });

  void it('judges a worker in another pid namespace by the age of its lease, and one without a lease not at all', async () => {
    const id = newWorkerInstanceId();
    // Pid 1 in another container: its pid means nothing here.
    await writeFile(path.join(dir, `${id}.lease`), JSON.stringify({ pid: 1, pidNamespace: 'pid:[1]', startTicks: '1' }));
    assert.equal(await leases.liveness(id), 'alive');
    const old = new Date(Date.now() - 120_000);
    await utimes(path.join(dir, `${id}.lease`), old, old);
    assert.equal(await leases.liveness(id), 'gone');
    assert.equal(await leases.liveness(newWorkerInstanceId()), 'unknown');
  });

  void it('lets the reaper remove only what a gone owner left', () => {
    const a = newWorkerInstanceId();
    const b = newWorkerInstanceId();
    const labelsOf = (instance: string) => sandboxLabels({ runId: 'r', actionId: 'a', owner: { instance }, deadlineMs: 20_000 });
    const liveness = (id: string) => (id === a ? 'alive' : id === b ? 'gone' : 'unknown');
    const check = { now: 10_000, host: 'same-host', isProcessAlive: () => true, instanceLiveness: liveness } as const;
    // Two workers on one host name: one alive, one gone; a third without a lease waits for the deadline.
    assert.equal(orphanReason(labelsOf(a), check), undefined);
    assert.equal(orphanReason(labelsOf(b), check), 'owner-gone');
    assert.equal(orphanReason(labelsOf(newWorkerInstanceId()), check), undefined);
    assert.equal(orphanReason(labelsOf(a), { ...check, now: 30_000 }), 'deadline-passed');
  });

  void it('gives the lease up on a clean stop', async () => {
    const id = newWorkerInstanceId();
    const release = await leases.hold(id);
    assert.equal(await leases.liveness(id), 'alive');
    await release();
    assert.equal(await leases.liveness(id), 'unknown');
  });
});
