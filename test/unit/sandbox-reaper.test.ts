import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatOwner, parseOwner, sandboxLabels } from '../../sandbox/labels.js';
import { isProcessAlive, orphanReason, UNUSED_VOLUME_GRACE_MS, unusedLongEnough, type OrphanCheck } from '../../sandbox/reaper.js';

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

void describe('unusedLongEnough (code volumes no container uses)', () => {
  const created = '2026-01-01T00:00:00Z';
  const at = Date.parse(created);
  void it('leaves a volume alone while its create may still be under way', () => {
    assert.equal(unusedLongEnough(created, at), false);
    assert.equal(unusedLongEnough(created, at + UNUSED_VOLUME_GRACE_MS - 1), false);
  });

  void it('counts one unused for the whole grace as a leftover', () => {
    assert.equal(unusedLongEnough(created, at + UNUSED_VOLUME_GRACE_MS), true);
  });

  void it('never judges a volume whose creation time it cannot read', () => {
    assert.equal(unusedLongEnough(undefined, at + 10 * UNUSED_VOLUME_GRACE_MS), false);
    assert.equal(unusedLongEnough('not a time', at + 10 * UNUSED_VOLUME_GRACE_MS), false);
  });
});
