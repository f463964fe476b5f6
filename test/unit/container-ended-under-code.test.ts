import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ContainerEndedUnderCodeError, endedUnderCode, type ExecEnd } from '../../sandbox/container-ended-under-code.js';
import { isEngineUnreachable } from '../../sandbox/docker-errors.js';

/** The engine stopped the container while the code slept: the exec died by SIGKILL, the container is gone. */
const STOPPED_BY_ENGINE: ExecEnd = { execExitCode: 137, containerRunning: false, timedOut: false, oomKilled: false, memoryLimitReached: false };

void describe('telling the code end from its container being stopped under it', () => {
  void it('counts a signal death or a missing status in a stopped container as not the code', () => {
    assert.equal(endedUnderCode(STOPPED_BY_ENGINE), true);
    assert.equal(endedUnderCode({ ...STOPPED_BY_ENGINE, execExitCode: 143 }), true);
    assert.equal(endedUnderCode({ ...STOPPED_BY_ENGINE, execExitCode: null }), true);
  });

  void it('keeps a status the code chose as its result, even when the container stopped right after', () => {
    for (const status of [0, 1, 3, 127]) assert.equal(endedUnderCode({ ...STOPPED_BY_ENGINE, execExitCode: status }), false, `exit ${status}`);
  });

  void it('keeps a signal death while the container still runs (the code killed itself)', () => {
    assert.equal(endedUnderCode({ ...STOPPED_BY_ENGINE, containerRunning: true }), false);
  });

  void it('keeps the end of a container whose init exited with a status of its own (ended by the code)', () => {
    assert.equal(endedUnderCode({ ...STOPPED_BY_ENGINE, execExitCode: null, containerExitCode: 2 }), false);
    for (const signalled of [137, 143, 255]) {
      assert.equal(endedUnderCode({ ...STOPPED_BY_ENGINE, execExitCode: null, containerExitCode: signalled }), true, `container exit ${signalled}`);
    }
  });

  void it('keeps the ends the sandbox itself enforces: the time limit and the memory limit', () => {
    assert.equal(endedUnderCode({ ...STOPPED_BY_ENGINE, timedOut: true }), false);
    assert.equal(endedUnderCode({ ...STOPPED_BY_ENGINE, oomKilled: true }), false);
    assert.equal(endedUnderCode({ ...STOPPED_BY_ENGINE, execExitCode: null, memoryLimitReached: true }), false);
  });

  void it('is an engine fault to the activity, so the attempt is retried under the lost-attempt rules', () => {
    const err = new ContainerEndedUnderCodeError('airlock-r-a1-a1-x', { exitCode: 143 });
    assert.equal(isEngineUnreachable(err), true);
    assert.equal(isEngineUnreachable(new Error('wrapped', { cause: err })), true);
    assert.match(err.message, /airlock-r-a1-a1-x stopped while the code ran \(container exit 143\)/);
  });
});
