/**
 * Declared execution semantics against the real engine: every attempt has its own container and record; a retry
 * picks up a finished attempt's result instead of running again; an action with network is not run again after an
 * attempt that may have run it; an attempt that never started is fenced off and the action runs once.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import type Docker from 'dockerode';
import pino from 'pino';
import { FileArtifactStore } from '../../platform/artifact-store.js';
import { FileAttemptJournal } from '../../sandbox/attempt-journal.js';
import { containerNameFor } from '../../sandbox/container-name.js';
import { assertDockerReachable, createDockerClient } from '../../sandbox/docker-client.js';
import { DockerSandbox } from '../../sandbox/docker-sandbox.js';
import { ensureSandboxImage } from '../../sandbox/image/ensure-sandbox-image.js';
import { LABELS, MANAGED_LABEL_FILTER } from '../../sandbox/labels.js';
import { LostAttemptNotRetriedError } from '../../sandbox/sandbox-errors.js';
import type { AttemptContext, ExecutionHooks } from '../../sandbox/runtime.js';
import { resolveLimits } from '../../schemas/action.js';
import type { ExecutionAttempt, ExecutionRequest } from '../../schemas/execution.js';

const RUN_ID = `it-attempts-${process.pid}-${Date.now()}`;
const EXECUTION = 'execution-1';
/** Never contacted: the refusal comes before any egress path exists. */
const NETWORK = { allow: ['127.0.0.1:9'], privateDestinations: ['127.0.0.1:9'] };

void describe('execution attempts against the real engine', { timeout: 240_000 }, () => {
  let docker: Docker;
  let image: string;
  let dir: string;
  let journal: FileAttemptJournal;
  let sandbox: DockerSandbox;
  let counter = 0;

  before(async () => {
    docker = createDockerClient();
    await assertDockerReachable(docker);
    ({ image } = await ensureSandboxImage({ docker }));
    dir = await mkdtemp(path.join(tmpdir(), 'airlock-it-attempts-'));
    journal = new FileAttemptJournal(path.join(dir, 'attempts'));
    sandbox = new DockerSandbox({ docker, image, artifactStore: new FileArtifactStore(path.join(dir, 'artifacts')), logger: pino({ level: 'silent' }), journal });
  });

  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  afterEach(async () => {
    // Containers without network are removed after the result is returned: close() waits for those removals.
    await sandbox.close();
    const filters = { label: [MANAGED_LABEL_FILTER, `${LABELS.runId}=${RUN_ID}`] };
    assert.deepEqual((await docker.listContainers({ all: true, filters })).map((c) => c.Names), [], 'no container may remain');
  });

  function request(actionId: string, code: string, extra: Partial<ExecutionRequest> = {}): ExecutionRequest {
    return { runId: RUN_ID, actionId, language: 'bash', code, limits: resolveLimits({ timeoutSec: 20 }), ...extra };
  }
  function attempt(n: number, heartbeatSeen?: ExecutionAttempt[]): AttemptContext {
    return { attempt: n, executionRunId: EXECUTION, ...(heartbeatSeen ? { heartbeatSeen } : {}) };
  }
  /** Runs attempt 1 and aborts it (as a lost worker would stop) once it reports `phase`. */
  async function abortAt(req: ExecutionRequest, phase: ExecutionAttempt['phase']): Promise<ExecutionAttempt[]> {
    const controller = new AbortController();
    let seen: ExecutionAttempt[] = [];
    const hooks: ExecutionHooks = {
      signal: controller.signal,
      attempt: attempt(1),
      heartbeat: (details) => {
        seen = (details as { attempts: ExecutionAttempt[] }).attempts;
        if (seen.at(-1)?.phase === phase) controller.abort(new Error('worker lost'));
      },
    };
    await assert.rejects(sandbox.execute(req, hooks), /worker lost/);
    // The journal write of the phase that triggered the abort finishes in the background.
    await new Promise((resolve) => setTimeout(resolve, 300));
    return seen;
  }

  void it('gives each attempt its own container and records it', async () => {
    const actionId = `x${++counter}`;
    const result = await sandbox.execute(request(actionId, 'echo once'), { attempt: attempt(1) });
    assert.equal(result.stdout.text, 'once\n');
    assert.equal(result.sandbox.containerName, containerNameFor(RUN_ID, actionId, 1));
    assert.equal(result.attempts?.length, 1);
    const [record] = result.attempts!;
    assert.equal(record!.outcome, 'completed');
    assert.equal(record!.phase, 'finished');
    assert.equal(record!.containerId, result.sandbox.containerId);
    assert.ok(record!.startedAt && record!.endedAt && record!.endedAt >= record!.startedAt);
  });

  void it('returns a finished attempt\'s result to a retry and runs nothing again', async () => {
    const actionId = `x${++counter}`;
    const since = Date.now();
    const first = await sandbox.execute(request(actionId, 'echo ran-$RANDOM'), { attempt: attempt(1) });
    // As if the worker died after finishing but before Temporal recorded the result: Temporal retries.
    const retry = await sandbox.execute(request(actionId, 'echo ran-$RANDOM'), { attempt: attempt(2) });
    assert.equal(retry.stdout.text, first.stdout.text, 'the same output: the code did not run again');
    assert.equal(retry.pickedUpFromAttempt, 1);
    assert.deepEqual(retry.attempts?.map((a) => a.outcome), ['lost-after-exit', 'completed']);
    assert.equal(await countFor(actionId, since), 1, 'one container in all');
  });

  void it('refuses to run an action with network again after an attempt that started', async () => {
    const actionId = `x${++counter}`;
    const req = request(actionId, 'sleep 5; echo done', { network: NETWORK });
    // Lost with its container started: the code may have run (here, the abort removed the container).
    const seen = await abortAt({ ...req, network: undefined }, 'started');
    await assert.rejects(sandbox.execute(req, { attempt: attempt(2, seen) }), (err: unknown) => {
      assert.ok(err instanceof LostAttemptNotRetriedError, String(err));
      assert.equal(err.type, 'LostAttemptNotRetried');
      assert.match(err.message, /at most once/);
      assert.deepEqual(err.attempts.map((a) => [a.attempt, a.outcome]), [[1, 'lost-after-start']]);
      return true;
    });
  });

  void it('runs an action without network again after an attempt that started (at least once)', async () => {
    const actionId = `x${++counter}`;
    const req = request(actionId, 'sleep 3; echo done');
    const seen = await abortAt(req, 'started');
    const retry = await sandbox.execute(req, { attempt: attempt(2, seen) });
    assert.equal(retry.stdout.text, 'done\n');
    assert.equal(retry.sandbox.containerName, containerNameFor(RUN_ID, actionId, 2));
    assert.deepEqual(retry.attempts?.map((a) => [a.attempt, a.outcome]), [[1, 'lost-after-start'], [2, 'completed']]);
  });

  void it('fences off an attempt that never started, then runs an action with network once', async () => {
    const actionId = `x${++counter}`;
    // Attempt 1 got as far as creating its container (no network here: the retry's refusal check is what counts).
    await abortAt(request(actionId, 'echo one'), 'created');
    const name1 = containerNameFor(RUN_ID, actionId, 1);
    const retry = await sandbox.execute(request(actionId, 'echo two'), { attempt: attempt(2) });
    assert.equal(retry.stdout.text, 'two\n');
    assert.deepEqual(retry.attempts?.map((a) => [a.attempt, a.outcome]), [[1, 'lost-before-start'], [2, 'completed']]);
    // The stalled attempt can never start now.
    assert.equal(await journal.claim(name1, 'start'), 'fence');
    // And the same holds with network: the fenced attempt proves nothing ran, so the retry goes on past the
    // at-most-once check. (Strong isolation refuses egress right after that check, so no egress path is needed.)
    const withNetwork = `x${++counter}`;
    await abortAt(request(withNetwork, 'echo one'), 'created');
    await assert.rejects(
      sandbox.execute(request(withNetwork, 'echo two', { network: { allow: ['nowhere.invalid:443'] }, isolation: 'strong' }), { attempt: attempt(2) }),
      (err: unknown) => {
        assert.ok(!(err instanceof LostAttemptNotRetriedError), `a fenced attempt is no reason to refuse: ${String(err)}`);
        assert.match(String(err), /strong/i);
        return true;
      },
    );
  });

  void it('ignores journal entries of another execution under the same run id', async () => {
    const actionId = `x${++counter}`;
    await sandbox.execute(request(actionId, 'echo old'), { attempt: { attempt: 1, executionRunId: 'another' } });
    const retry = await sandbox.execute(request(actionId, 'echo new'), { attempt: attempt(2) });
    assert.equal(retry.stdout.text, 'new\n');
    assert.equal(retry.pickedUpFromAttempt, undefined);
  });

  async function countFor(actionId: string, since: number): Promise<number> {
    const stream = (await docker.getEvents({
      since: Math.floor(since / 1000) - 1,
      until: Math.ceil(Date.now() / 1000) + 1,
      filters: { type: ['container'], event: ['create'], label: [`${LABELS.runId}=${RUN_ID}`, `${LABELS.actionId}=${actionId}`] },
    })) as unknown as NodeJS.ReadableStream;
    let text = '';
    for await (const chunk of stream) text += chunk.toString();
    return text.split('\n').filter((line) => line.trim().length > 0).length;
  }
});
