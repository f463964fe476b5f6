import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, describe, it } from 'node:test';
import { withBuildLock } from '../../workers/setup/build-lock.js';

void describe('withBuildLock', () => {
  const dirs: string[] = [];
  const lockIn = async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'airlock-build-lock-'));
    dirs.push(dir);
    return path.join(dir, '.building-x');
  };
  after(async () => {
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  void it('runs two builds of the same thing one after the other, never together', async () => {
    const lock = await lockIn();
    const events: string[] = [];
    let waits = 0;
    const build = (name: string) =>
      withBuildLock(lock, 60_000, () => (waits += 1), async () => {
        events.push(`${name} start`);
        await sleep(300);
        events.push(`${name} end`);
        return name;
      });
    const results = await Promise.all([build('first'), build('second')]);
    assert.deepEqual(results, ['first', 'second']);
    // Which of the two takes the lock first is up to the file system's thread pool; that they never overlap is not.
    const winner = events[0]?.split(' ')[0];
    const loser = winner === 'first' ? 'second' : 'first';
    assert.deepEqual(events, [`${winner} start`, `${winner} end`, `${loser} start`, `${loser} end`]);
    assert.equal(waits, 1, 'the second said it was waiting');
  });

  void it('takes over a lock whose holder has died', async () => {
    const lock = await lockIn();
    await mkdir(lock);
    // No process has this pid: the kernel's pid limit is far below it.
    await writeFile(path.join(lock, 'pid'), '2147483646');
    assert.equal(await withBuildLock(lock, 10_000, () => assert.fail('a dead holder is not waited for'), async () => 'built'), 'built');
  });

  void it('gives up waiting for a live holder after the timeout', async () => {
    const lock = await lockIn();
    await mkdir(lock);
    await writeFile(path.join(lock, 'pid'), String(process.pid));
    await assert.rejects(withBuildLock(lock, 100, () => undefined, async () => 'never'), /gave up waiting for the build lock/);
  });
});
