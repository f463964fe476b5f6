import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mapBounded } from '../bench/bounded.js';
import { orchestrationTiming, type TimedEvent } from '../bench/orchestration-timing.js';
import { spreadSample } from '../bench/suite-parked.js';

const history: TimedEvent[] = [
  { eventId: 1, type: 'other', timeMs: 1_010 },
  { eventId: 5, type: 'scheduled', timeMs: 1_020, activityType: 'assessRisk' },
  { eventId: 6, type: 'started', timeMs: 1_021, scheduledEventId: 5 },
  { eventId: 7, type: 'completed', timeMs: 1_030, scheduledEventId: 5 },
  { eventId: 11, type: 'scheduled', timeMs: 1_040, activityType: 'executeCode' },
  { eventId: 12, type: 'started', timeMs: 1_045, scheduledEventId: 11 },
  { eventId: 13, type: 'completed', timeMs: 1_145, scheduledEventId: 11 },
  { eventId: 17, type: 'other', timeMs: 1_150 },
];

describe('bench orchestration timing', () => {
  it('measures from the submit to the sandbox activity starting, and the activity itself', () => {
    assert.deepEqual(orchestrationTiming(history, 1_000), { beforeSandboxMs: 45, sandboxActivityMs: 100 });
  });

  it('refuses a run that never ran its sandbox activity', () => {
    assert.throws(() => orchestrationTiming(history.slice(0, 4), 1_000), /has no executeCode activity/);
    assert.throws(() => orchestrationTiming(history.slice(0, 6), 1_000), /did not complete/);
  });
});

describe('bench helpers', () => {
  it('runs at most `limit` tasks at once and keeps the results in order', async () => {
    let inFlight = 0;
    let most = 0;
    const results = await mapBounded(10, 3, async (i) => {
      inFlight++;
      most = Math.max(most, inFlight);
      await new Promise((r) => setImmediate(r));
      inFlight--;
      return i * 2;
    });
    assert.deepEqual(results, [0, 2, 4, 6, 8, 10, 12, 14, 16, 18]);
    assert.equal(most, 3);
  });

  it('stops starting tasks after the first failure', async () => {
    const started: number[] = [];
    await assert.rejects(
      mapBounded(10, 1, async (i) => {
        started.push(i);
        if (i === 2) throw new Error('boom');
      }),
      /boom/,
    );
    assert.deepEqual(started, [0, 1, 2]);
  });

  it('samples parked runs across the whole range, the longest parked first', () => {
    assert.deepEqual(spreadSample(100, 4), [0, 25, 50, 75]);
    assert.deepEqual(spreadSample(3, 20), [0, 1, 2]);
  });
});
