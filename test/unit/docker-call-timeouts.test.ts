import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import Docker from 'dockerode';
import { DEFAULT_DOCKER_CALL_BUDGETS_MS, dockerCallKind, withDockerCallTimeouts } from '../../sandbox/docker-call-timeouts.js';
import { DockerCallTimeoutError, isEngineUnreachable } from '../../sandbox/docker-errors.js';
import { FakeEngine } from '../support/fake-engine.js';

const SHORT_BUDGETS = { ...DEFAULT_DOCKER_CALL_BUDGETS_MS, create: 300, inspect: 200, start: 300 };

void describe('time limits on Docker calls', () => {
  let engine: FakeEngine;
  let docker: Docker;
  before(async () => {
    engine = await FakeEngine.start();
    docker = withDockerCallTimeouts(new Docker({ socketPath: engine.socketPath }), engine.dockerHost, SHORT_BUDGETS);
  });
  after(async () => {
    await engine.close();
  });

  void it('sorts calls by kind, with the streams that last as long as a container left unbounded', () => {
    assert.equal(dockerCallKind('POST', '/containers/create?name=x'), 'create');
    assert.equal(dockerCallKind('POST', '/v1.43/containers/abc/start'), 'start');
    assert.equal(dockerCallKind('POST', '/containers/abc/exec'), 'exec');
    assert.equal(dockerCallKind('POST', '/exec/abc/start'), 'exec');
    assert.equal(dockerCallKind('GET', '/containers/abc/json'), 'inspect');
    assert.equal(dockerCallKind('GET', '/_ping'), 'inspect');
    assert.equal(dockerCallKind('DELETE', '/containers/abc?force=true'), 'remove');
    assert.equal(dockerCallKind('POST', '/containers/abc/kill'), 'remove');
    assert.equal(dockerCallKind('GET', '/images/airlock-sandbox/json'), 'image');
    assert.equal(dockerCallKind('PUT', '/containers/abc/archive?path=/workspace'), 'archive');
    assert.equal(dockerCallKind('POST', '/networks/create'), 'network');
    assert.equal(dockerCallKind('POST', '/containers/abc/wait'), 'unbounded');
    assert.equal(dockerCallKind('POST', '/containers/abc/attach?stream=1'), 'unbounded');
    assert.equal(dockerCallKind('POST', '/build'), 'unbounded');
  });

  void it('answers as usual while the engine answers', async () => {
    engine.mode = 'answering';
    const info = (await docker.info()) as { Runtimes?: Record<string, unknown> };
    assert.deepEqual(Object.keys(info.Runtimes ?? {}), ['runc']);
    // An engine refusal is still the engine's answer, not a timeout.
    await assert.rejects(docker.getContainer('nope').inspect(), (err: unknown) => !isEngineUnreachable(err) && (err as { statusCode?: number }).statusCode === 404);
  });

  void it('turns a hung engine into a clear, retryable error that names the call', async () => {
    engine.mode = 'hanging';
    await assert.rejects(docker.createContainer({ Image: 'airlock-sandbox' }), (err: unknown) => {
      assert.ok(err instanceof DockerCallTimeoutError, String(err));
      assert.equal(err.kind, 'create');
      assert.equal(err.ms, 300);
      assert.match(err.message, new RegExp(`the Docker engine at ${engine.dockerHost} did not answer POST /containers/create`));
      assert.ok(isEngineUnreachable(err));
      return true;
    });
    await assert.rejects(docker.getContainer('abc').inspect(), (err: unknown) => err instanceof DockerCallTimeoutError && err.kind === 'inspect');
    // The engine answers again: so does the client.
    engine.mode = 'answering';
    assert.equal(String(await docker.ping()), 'OK');
  });

  void it('counts a missing socket as an engine that is not there', async () => {
    await engine.stopListening();
    try {
      await assert.rejects(docker.ping(), (err: unknown) => isEngineUnreachable(err));
    } finally {
      await engine.listen();
    }
  });
});
