import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { hasRunscArgs, RUNSC_RUNTIME_ARGS, withRunscRuntime } from '../../workers/setup/ensure-runsc.js';

void describe('withRunscRuntime', () => {
  void it('adds runsc with no network of its own and keeps every other daemon setting', () => {
    const config = withRunscRuntime({ 'log-level': 'warn', runtimes: { other: { path: '/x' } } }, '/usr/bin/runsc');
    assert.equal(config['log-level'], 'warn');
    assert.deepEqual(config.runtimes, {
      other: { path: '/x' },
      runsc: { path: '/usr/bin/runsc', runtimeArgs: ['--network=none', '--oci-seccomp'] },
    });
    assert.deepEqual(RUNSC_RUNTIME_ARGS, ['--network=none', '--oci-seccomp']);
  });

  void it('creates the runtimes map when the file had none', () => {
    assert.deepEqual(Object.keys(withRunscRuntime({}, '/usr/bin/runsc').runtimes as object), ['runsc']);
  });

  void it('re-registers a runsc that lacks --oci-seccomp (gVisor would ignore the container\'s seccomp profile)', () => {
    assert.equal(hasRunscArgs({ runtimeArgs: ['--network=none'] }), false);
    assert.equal(hasRunscArgs(undefined), false);
    assert.equal(hasRunscArgs({ runtimeArgs: ['--oci-seccomp', '--network=none', '--debug'] }), true);
  });
});
