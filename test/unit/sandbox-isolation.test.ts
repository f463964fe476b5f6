import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { chooseRuntime } from '../../sandbox/isolation.js';
import { StrongIsolationUnavailableError } from '../../sandbox/sandbox-errors.js';
import { isolationFor, limitsAboveBounds } from '../../policy/sandbox-policy.js';

void describe('chooseRuntime', () => {
  void it('runs standard on the default runtime without asking the engine for gVisor', () => {
    assert.deepEqual(chooseRuntime({ requested: undefined, whenStrongUnavailable: undefined, engineRuntimes: [] }), {
      runtime: undefined,
      isolation: 'standard',
    });
  });

  void it('runs strong on runsc when the engine has it', () => {
    assert.deepEqual(chooseRuntime({ requested: 'strong', whenStrongUnavailable: 'fail', engineRuntimes: ['runc', 'runsc'] }), {
      runtime: 'runsc',
      isolation: 'strong',
    });
  });

  void it('refuses strong without runsc unless falling back is allowed, and then says so', () => {
    assert.throws(
      () => chooseRuntime({ requested: 'strong', whenStrongUnavailable: undefined, engineRuntimes: ['runc'] }),
      (err) => err instanceof StrongIsolationUnavailableError && /runsc/.test(err.message),
    );
    const fallback = chooseRuntime({ requested: 'strong', whenStrongUnavailable: 'fallback', engineRuntimes: ['runc'] });
    assert.equal(fallback.isolation, 'standard');
    assert.match(fallback.fallback ?? '', /runsc runtime is not installed/);
  });
});

void describe('isolationFor', () => {
  void it('keeps what the action asked for below the policy level', () => {
    assert.equal(isolationFor(undefined, 'low').isolation, 'standard');
    assert.equal(isolationFor('strong', 'low').isolation, 'strong');
  });

  void it('forces strong from high risk by default, and records that the policy did it', () => {
    assert.deepEqual(isolationFor(undefined, 'high'), { isolation: 'strong', forcedByPolicy: true, whenStrongUnavailable: 'fail' });
    assert.equal(isolationFor('strong', 'high').forcedByPolicy, false);
  });

  void it('follows a policy that forces from medium, or never, and carries its fallback choice', () => {
    const policy = { strongAtOrAbove: 'medium' as const, whenStrongUnavailable: 'fallback' as const };
    assert.deepEqual(isolationFor('standard', 'medium', policy), { isolation: 'strong', forcedByPolicy: true, whenStrongUnavailable: 'fallback' });
    assert.equal(isolationFor(undefined, 'high', { strongAtOrAbove: null, whenStrongUnavailable: 'fail' }).isolation, 'standard');
  });
});

void describe('limitsAboveBounds', () => {
  void it('accepts requests within the bounds and absent limits', () => {
    assert.equal(limitsAboveBounds(undefined, { memoryMb: 512 }), undefined);
    assert.equal(limitsAboveBounds({ memoryMb: 512, timeoutSec: 10 }, { memoryMb: 512 }), undefined);
  });

  void it('refuses each limit above its bound, naming the limit and the bound', () => {
    const refusal = limitsAboveBounds({ memoryMb: 1024, cpus: 2, timeoutSec: 5 }, { memoryMb: 512, cpus: 1 });
    assert.match(refusal ?? '', /memoryMb 1024 is above the policy's bound of 512/);
    assert.match(refusal ?? '', /cpus 2 is above the policy's bound of 1/);
    assert.doesNotMatch(refusal ?? '', /timeoutSec/);
  });
});
