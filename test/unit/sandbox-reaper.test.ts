import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatOwner, parseOwner, sandboxLabels } from '../../sandbox/labels.js';
import { isProcessAlive, orphanReason, type OrphanCheck } from '../../sandbox/reaper.js';

const check = (overrides: Partial<OrphanCheck> = {}): OrphanCheck => ({
  now: 10_000,
  host: 'worker-a',
  isProcessAlive: (pid) => pid === 100,
  ...overrides,
});
const labels = (host: string, pid: number, deadlineMs: number) =>
  sandboxLabels({ runId: 'r', actionId: 'a', owner: { host, pid }, deadlineMs });

void describe('orphanReason', () => {
  void it('keeps objects whose owner lives and whose deadline is ahead', () => {
    assert.equal(orphanReason(labels('worker-a', 100, 20_000), check()), undefined);
  });

  void it('reaps objects whose owner process on this host is gone', () => {
    assert.equal(orphanReason(labels('worker-a', 200, 20_000), check()), 'owner-gone');
  });

  void it('cannot judge owners on other hosts, only their deadline', () => {
    assert.equal(orphanReason(labels('worker-b', 200, 20_000), check()), undefined);
    assert.equal(orphanReason(labels('worker-b', 200, 5_000), check()), 'deadline-passed');
  });

  void it('reaps anything past its deadline, even with a live owner', () => {
    assert.equal(orphanReason(labels('worker-a', 100, 9_999), check()), 'deadline-passed');
  });

  void it('reaps managed objects with unreadable labels', () => {
    assert.equal(orphanReason(undefined, check()), 'unreadable-labels');
    const broken = { ...labels('worker-a', 100, 20_000), 'dev.airlock.owner': 'nopid' };
    assert.equal(orphanReason(broken, check()), 'unreadable-labels');
  });
});

void describe('owner labels', () => {
  void it('round-trip host names that contain colons', () => {
    assert.deepEqual(parseOwner(formatOwner({ host: 'fe80::1', pid: 7 })), { host: 'fe80::1', pid: 7 });
    assert.equal(parseOwner(':7'), undefined);
    assert.equal(parseOwner('host:-1'), undefined);
  });

  void it('sees this process as alive', () => {
    assert.equal(isProcessAlive(process.pid), true);
  });
});
