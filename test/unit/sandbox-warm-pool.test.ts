import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { resolveLimits } from '../../schemas/action.js';
import type { ExecutionRequest } from '../../schemas/execution.js';
import { buildContainerSpec } from '../../sandbox/container-spec.js';
import { coldReason, MAX_POOLED_TIMEOUT_SEC, poolClassFor } from '../../sandbox/warm/pool-class.js';
import { defaultSandboxConcurrency, sandboxSizingFromEnv, SandboxSizingError } from '../../sandbox/warm/pool-sizing.js';
import { pooledLabels, warmContainerSpec } from '../../sandbox/warm/warm-container.js';
import { encodeRequest, exitCodeOf, parseTrailer, TrailerSplitter, type ZygoteReport } from '../../sandbox/warm/zygote-protocol.js';
import { TOKEN_BYTES, TRAILER_BYTES, TRAILER_MAGIC } from '../../sandbox/warm/zygote-source.js';

const GIB = 1024 ** 3;

function request(overrides: Partial<ExecutionRequest> = {}): ExecutionRequest {
  return { runId: 'r', actionId: 'a', language: 'python', code: 'print(1)', limits: resolveLimits(undefined), ...overrides };
}

const report: ZygoteReport = { exit: 0, wallMs: 3.2, cpuMs: 2, maxRssKb: 9000, memPeak: 1, memLimit: 2, memFail: 0 };

function trailer(token: Buffer, body: ZygoteReport = report): Buffer {
  const line = `${TRAILER_MAGIC}${token.toString('hex')} ${JSON.stringify(body)}`;
  return Buffer.from(line + ' '.repeat(TRAILER_BYTES - 1 - line.length) + '\n', 'latin1');
}

void describe('warm pool: classes', () => {
  void it('sends actions with network, long timeouts or big memory down the cold path', () => {
    const standard = { runtime: undefined, isolation: 'standard' as const };
    assert.equal(coldReason(request(), standard), undefined);
    assert.equal(coldReason(request({ network: { allow: ['example.test:443'] } }), standard), 'network');
    assert.equal(coldReason(request({ limits: resolveLimits({ timeoutSec: MAX_POOLED_TIMEOUT_SEC + 1 }) }), standard), 'timeout-above-pool-limit');
    assert.equal(coldReason(request({ limits: resolveLimits({ memoryMb: 4096 }) }), standard), 'memory-above-pool-limit');
    assert.equal(coldReason(request(), { ...standard, fallback: 'no runsc' }), 'isolation-fallback');
  });

  void it('keys a class by image, runtime and container limits, not by timeout, language or output cap', () => {
    const standard = { runtime: undefined, isolation: 'standard' as const };
    const strong = { runtime: 'runsc', isolation: 'strong' as const };
    const base = poolClassFor(request(), standard, 'sha256:a').key;
    assert.equal(poolClassFor(request({ language: 'node', limits: resolveLimits({ timeoutSec: 5, outputBytes: 4096 }) }), standard, 'sha256:a').key, base);
    assert.notEqual(poolClassFor(request(), strong, 'sha256:a').key, base, 'gVisor has its own pool');
    assert.notEqual(poolClassFor(request(), standard, 'sha256:b').key, base);
    assert.notEqual(poolClassFor(request({ limits: resolveLimits({ memoryMb: 512 }) }), standard, 'sha256:a').key, base);
  });

  void it('creates pooled containers with the hardened cold spec, the zygote as main process and an open stdin', () => {
    const poolClass = poolClassFor(request(), { runtime: 'runsc', isolation: 'strong' }, 'sha256:a');
    const labels = pooledLabels({ owner: { host: 'h', pid: 7 }, deadlineMs: 1000, poolClass, uid: 100_123 });
    const spec = warmContainerSpec({ poolClass, uid: 100_123, name: 'airlock-pool-x', labels, idleSec: 60 });
    const cold = buildContainerSpec({
      request: request(),
      image: 'sha256:a',
      uid: 100_123,
      name: 'airlock-pool-x',
      hostname: spec.Hostname!,
      labels,
      runtime: 'runsc',
      isolation: 'strong',
    });
    assert.deepEqual(spec.HostConfig, cold.HostConfig, 'same caps, seccomp, read-only root, tmpfs, limits, no network');
    assert.equal(spec.User, cold.User);
    assert.deepEqual(spec.Env, cold.Env);
    assert.equal(spec.NetworkDisabled, true);
    assert.equal(spec.OpenStdin, true);
    assert.equal(spec.StdinOnce, true, 'stdin closes for good when the worker lets go');
    assert.ok(spec.Cmd?.some((part) => part.endsWith('zygote.py')));
    assert.equal(labels['dev.airlock.managed'], 'true');
    assert.equal(labels['dev.airlock.owner'], 'h:7');
    assert.equal(labels['dev.airlock.uid'], '100123');
  });
});

void describe('warm pool: sizing', () => {
  void it('derives sandbox concurrency from cores and memory, and lets the environment override it', () => {
    assert.equal(defaultSandboxConcurrency({ cpus: 2, totalMemoryBytes: 24 * GIB }), 8);
    assert.equal(defaultSandboxConcurrency({ cpus: 32, totalMemoryBytes: 256 * GIB }), 64);
    assert.equal(defaultSandboxConcurrency({ cpus: 8, totalMemoryBytes: 2 * GIB }), 4, 'memory bounds it');
    const host = { cpus: 2, totalMemoryBytes: 24 * GIB };
    assert.equal(sandboxSizingFromEnv({ AIRLOCK_SANDBOX_CAPACITY: '3' }, host).concurrency, 3);
    const sizing = sandboxSizingFromEnv({}, host);
    assert.equal(sizing.pool.enabled, true);
    assert.equal(sizing.pool.perClass.standard, 2);
    assert.ok(sizing.pool.perClass.strong >= 1);
  });

  void it('turns the pool off with AIRLOCK_WARM_POOL=off or a size of 0, and names a bad variable', () => {
    const host = { cpus: 2, totalMemoryBytes: 24 * GIB };
    assert.equal(sandboxSizingFromEnv({ AIRLOCK_WARM_POOL: 'off' }, host).pool.enabled, false);
    assert.equal(sandboxSizingFromEnv({ AIRLOCK_WARM_POOL_SIZE: '0' }, host).pool.enabled, false);
    assert.equal(sandboxSizingFromEnv({ AIRLOCK_WARM_POOL_SIZE: '2' }, host).pool.perClass.strong, 2);
    assert.throws(() => sandboxSizingFromEnv({ AIRLOCK_WARM_POOL: 'maybe' }, host), (err: unknown) => err instanceof SandboxSizingError && /AIRLOCK_WARM_POOL/.test(err.message));
    assert.throws(() => sandboxSizingFromEnv({ AIRLOCK_SANDBOX_CAPACITY: '-1' }, host), SandboxSizingError);
  });
});

void describe('warm pool: zygote protocol', () => {
  const token = Buffer.alloc(TOKEN_BYTES, 7);

  void it('frames a request as length, JSON and the token', () => {
    const frame = encodeRequest({ language: 'python', code: 'print(1)', timeoutSec: 5 }, token);
    const size = frame.readUInt32BE(0);
    assert.deepEqual(JSON.parse(frame.subarray(4, 4 + size).toString('utf8')), { language: 'python', code: 'print(1)', timeoutSec: 5 });
    assert.equal(frame.subarray(4 + size).toString('ascii'), token.toString('hex'));
  });

  void it('accepts only a trailer with this execution token', () => {
    assert.deepEqual(parseTrailer(trailer(token), token), report);
    assert.equal(parseTrailer(trailer(Buffer.alloc(TOKEN_BYTES, 8)), token), undefined, 'a forged token');
    assert.equal(parseTrailer(trailer(token).subarray(1), token), undefined);
    assert.equal(exitCodeOf({ ...report, exit: -9 }), 137);
    assert.equal(exitCodeOf({ ...report, exit: 3 }), 3);
  });

  void it('passes the output through whole and keeps the trailer out of it, however the chunks fall', () => {
    const output = Buffer.from(`hello\n${'x'.repeat(1000)}\n${TRAILER_MAGIC}fake\n`);
    const stream = Buffer.concat([output, trailer(token)]);
    for (const size of [1, 7, 320, 4096]) {
      const kept: Buffer[] = [];
      let seen: ZygoteReport | undefined;
      const splitter = new TrailerSplitter(token, (c) => kept.push(Buffer.from(c)), (r) => (seen = r));
      for (let i = 0; i < stream.length; i += size) splitter.write(stream.subarray(i, i + size));
      assert.deepEqual(seen, report, `chunks of ${size}`);
      assert.equal(Buffer.concat(kept).toString(), output.toString(), `chunks of ${size}`);
    }
  });

  void it('gives back the held bytes as output when the stream ends without a trailer', () => {
    const kept: Buffer[] = [];
    const splitter = new TrailerSplitter(token, (c) => kept.push(Buffer.from(c)), () => assert.fail('no trailer'));
    splitter.write(Buffer.from('short'));
    assert.equal(Buffer.concat(kept).length, 0);
    splitter.flush();
    assert.equal(Buffer.concat(kept).toString(), 'short');
    assert.equal(splitter.trailer, undefined);
  });
});
