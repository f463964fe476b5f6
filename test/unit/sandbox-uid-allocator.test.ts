import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseUidRange, SandboxUidAllocator, SandboxUidRangeError, SandboxUidsExhaustedError } from '../../sandbox/uid-allocator.js';

void describe('sandbox uid allocation', () => {
  void it('gives every live sandbox its own uid from the range, and reuses released ones', async () => {
    const allocator = new SandboxUidAllocator({ first: 200_000, last: 200_003 }, () => 0);
    const uids = [await allocator.allocate(), await allocator.allocate(), await allocator.allocate(), await allocator.allocate()];
    assert.deepEqual([...uids].sort(), [200_000, 200_001, 200_002, 200_003]);
    await assert.rejects(allocator.allocate(), SandboxUidsExhaustedError);
    allocator.release(200_002);
    assert.equal(await allocator.allocate(), 200_002);
  });

  void it('skips a uid another worker on the host holds', async () => {
    const allocator = new SandboxUidAllocator({ first: 300_000, last: 300_009 }, () => 0);
    assert.equal(await allocator.allocate(async (uid) => uid === 300_000), 300_001);
    assert.equal(allocator.inUse, 1);
  });

  void it('parses AIRLOCK_SANDBOX_UIDS and refuses ranges that reach system users', () => {
    assert.deepEqual(parseUidRange(undefined), { first: 100_000, last: 165_535 });
    assert.deepEqual(parseUidRange('200000-200999'), { first: 200_000, last: 200_999 });
    for (const bad of ['0-100', '500-2000', '9-x', '300000-200000']) assert.throws(() => parseUidRange(bad), SandboxUidRangeError);
  });
});
