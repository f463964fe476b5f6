import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import { DENIED_SYSCALLS, SECCOMP_LAUNCHER_SOURCE } from '../../sandbox/seccomp-launcher.js';
import { WORKSPACE_HELPER_SOURCE } from '../../sandbox/workspace-helper.js';

void describe('seccomp launcher', () => {
  void it('denies the calls the adversarial suite needs refused', () => {
    for (const name of ['ptrace', 'process_vm_writev', 'unshare', 'mount', 'bpf', 'keyctl', 'io_uring_setup']) {
      assert.ok(DENIED_SYSCALLS[name], name);
    }
  });

  void it('is valid Python (checked by compiling it, not running it)', async () => {
    for (const source of [SECCOMP_LAUNCHER_SOURCE, WORKSPACE_HELPER_SOURCE]) {
      await promisify(execFile)('python3', ['-c', 'import sys; compile(sys.argv[1], "launcher", "exec")', source]);
    }
  });

  void it('never jumps past the end of its filter', () => {
    // Every literal conditional jump in the generated program is one of the fixed shapes it builds.
    const jumps = [...SECCOMP_LAUNCHER_SOURCE.matchAll(/\((?:JEQ|JGE), (\d+), (\d+),/g)].flatMap((m) => [Number(m[1]), Number(m[2])]);
    assert.ok(jumps.length > 0);
    assert.ok(jumps.every((j) => [0, 1, 2, 4, 5, 6, 8].includes(j)), jumps.join(','));
  });
});
