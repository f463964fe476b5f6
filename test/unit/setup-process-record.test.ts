import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import {
  classifyRecordedProcess,
  parseProcStat,
  processFacts,
  readProcessRecord,
  recordedProcessState,
  recordFor,
  recordOwnerRunning,
  stopRecordedProcess,
  writeProcessRecord,
} from '../../workers/setup/process-record.js';

describe('parseProcStat', () => {
  it('reads the state and the start time, even when the command name has spaces and parentheses', () => {
    const fields = Array.from({ length: 50 }, (_, i) => String(i + 3));
    fields[0] = 'S';
    fields[22 - 3] = '987654';
    assert.deepEqual(parseProcStat(`4242 (temporal (dev) x) ${fields.join(' ')}`), { state: 'S', startTicks: '987654' });
  });

  it('gives nothing for text that is not a stat line', () => {
    assert.equal(parseProcStat('garbage'), undefined);
  });
});

describe('classifyRecordedProcess', () => {
  it('is running only when the pid lives and its start time is the recorded one', () => {
    assert.equal(classifyRecordedProcess({ startTicks: '100' }, { alive: true, startTicks: '100' }), 'running');
    assert.equal(classifyRecordedProcess({ startTicks: '100' }, { alive: true, startTicks: '200' }), 'gone', 'a reused pid');
    assert.equal(classifyRecordedProcess({ startTicks: '100' }, { alive: false, startTicks: undefined }), 'gone');
  });

  it('never claims a process it cannot identify', () => {
    assert.equal(classifyRecordedProcess({ startTicks: undefined }, { alive: true, startTicks: '100' }), 'gone');
    assert.equal(classifyRecordedProcess({ startTicks: '100' }, { alive: true, startTicks: undefined }), 'gone');
  });
});

describe('process records on disk', () => {
  it('round-trips a record and ignores an unreadable one', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'airlock-record-'));
    try {
      const file = path.join(dir, 'server.json');
      const record = recordFor(process.pid, ['node', 'x'], process.pid);
      await writeProcessRecord(file, record);
      assert.deepEqual(await readProcessRecord(file), record);
      assert.equal(recordedProcessState(record), 'running', 'this very process is running');
      assert.equal(recordOwnerRunning(record), true);
      await writeFile(file, '{"pid": "twelve"');
      assert.equal(await readProcessRecord(file), undefined);
      assert.equal(await readProcessRecord(path.join(dir, 'missing.json')), undefined);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('stops a recorded process group that ignores SIGTERM, with SIGKILL after the grace period', async () => {
    const child = spawn('sh', ['-c', 'trap "" TERM; sleep 30 & wait'], { detached: true, stdio: 'ignore' });
    const exited = new Promise((resolve) => child.once('exit', resolve));
    try {
      await new Promise((resolve) => setTimeout(resolve, 200));
      const record = recordFor(child.pid!, ['sh']);
      assert.equal(recordedProcessState(record), 'running');
      await stopRecordedProcess(record, 500);
      await exited;
      assert.equal(processFacts(child.pid!).alive, false);
    } finally {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // gone, as it should be
      }
    }
  });
});
