import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import Docker from 'dockerode';
import pino from 'pino';
import { withDockerCallTimeouts, DEFAULT_DOCKER_CALL_BUDGETS_MS } from '../../sandbox/docker-call-timeouts.js';
import { EngineHealth, type EngineState } from '../../sandbox/engine-health.js';
import { runWhileEngineAnswers, type GatedWorker } from '../../workers/engine-gated-workers.js';
import { FakeEngine } from '../support/fake-engine.js';

/** A logger whose lines the test reads. */
function recordingLogger(): { logger: pino.Logger; messages: string[] } {
  const messages: string[] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => messages.push((JSON.parse(line) as { msg: string }).msg) });
  return { logger, messages };
}

/** A Temporal worker stand-in that runs until shut down. */
class FakeWorker implements GatedWorker {
  private state = 'INITIALIZED';
  private stop: (() => void) | undefined;
  run(): Promise<void> {
    this.state = 'RUNNING';
    return new Promise((resolve) => {
      this.stop = () => {
        this.state = 'STOPPED';
        resolve();
      };
    });
  }
  shutdown(): void {
    this.stop?.();
  }
  getState(): string {
    return this.state;
  }
}

void describe('the Docker engine health check and the sandbox worker gate', () => {
  let engine: FakeEngine;
  let docker: Docker;
  before(async () => {
    engine = await FakeEngine.start();
    docker = withDockerCallTimeouts(new Docker({ socketPath: engine.socketPath }), engine.dockerHost, { ...DEFAULT_DOCKER_CALL_BUDGETS_MS, inspect: 300 });
  });
  after(async () => {
    await engine.close();
  });

  void it('polls only while the engine answers, stops when it hangs or goes, resumes when it is back, and logs each change once', async () => {
    const { logger, messages } = recordingLogger();
    await engine.stopListening();
    const health = new EngineHealth({ ping: () => docker.ping(), endpoint: engine.dockerHost, logger, intervalMs: 50, pingTimeoutMs: 400 });
    const states: EngineState[] = [];
    health.onChange((state) => states.push(state));
    const created: FakeWorker[] = [];
    const controller = new AbortController();
    let polling = 0;
    health.start();
    const loop = runWhileEngineAnswers({
      health,
      logger,
      signal: controller.signal,
      onPolling: () => polling++,
      createWorkers: () => {
        const workers = [new FakeWorker(), new FakeWorker()];
        created.push(...workers);
        return Promise.resolve(workers);
      },
    });
    try {
      // No engine yet: nothing polls.
      assert.equal(await health.waitFor('down'), true);
      assert.equal(created.length, 0);

      await engine.listen();
      assert.equal(await health.waitFor('up'), true);
      await until(() => created.length === 2);
      assert.deepEqual(created.map((w) => w.getState()), ['RUNNING', 'RUNNING']);

      // The engine hangs (answers nothing): the workers stop taking tasks.
      engine.mode = 'hanging';
      assert.equal(await health.waitFor('down'), true);
      await until(() => created.every((w) => w.getState() === 'STOPPED'));

      // It answers again: fresh workers poll.
      engine.mode = 'answering';
      await until(() => created.length === 4 && created.slice(2).every((w) => w.getState() === 'RUNNING'));

      // The socket goes away (dockerd stopped) and comes back.
      await engine.stopListening();
      await until(() => created.slice(2).every((w) => w.getState() === 'STOPPED'));
      await engine.listen();
      await until(() => created.length === 6 && created.slice(4).every((w) => w.getState() === 'RUNNING'));
    } finally {
      controller.abort();
      await loop;
      await health.stop();
    }
    assert.ok(created.every((w) => w.getState() === 'STOPPED'));
    assert.equal(polling, 1, 'ready is announced once');
    assert.deepEqual(states, ['down', 'up', 'down', 'up', 'down', 'up']);
    // One log line per change, however many pings failed in between.
    assert.equal(messages.filter((m) => m.startsWith('Docker engine does not answer')).length, 3);
    assert.equal(messages.filter((m) => m.startsWith('Docker engine answers')).length, 3);
  });
});

async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 400 && !check(); i++) await new Promise((resolve) => setTimeout(resolve, 25));
  assert.ok(check(), 'condition not reached');
}
