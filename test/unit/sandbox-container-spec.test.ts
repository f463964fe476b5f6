import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { resolveLimits } from '../../schemas/action.js';
import type { ExecutionRequest } from '../../schemas/execution.js';
import { buildContainerSpec, codeCommand, SANDBOX_ENV } from '../../sandbox/container-spec.js';
import { sandboxLabels, LABELS } from '../../sandbox/labels.js';
import { sandboxSeccompProfile, type SeccompProfile } from '../../sandbox/seccomp-profile.js';

const labels = sandboxLabels({ runId: 'run-1', actionId: 'act-1', owner: { host: 'h', pid: 42 }, deadlineMs: 1000 });

function spec(overrides: Partial<ExecutionRequest> = {}, runtime?: string) {
  const request: ExecutionRequest = {
    runId: 'run-1',
    actionId: 'act-1',
    language: 'python',
    code: 'print(1)',
    limits: resolveLimits({ memoryMb: 128, cpus: 0.5, pids: 64 }),
    ...overrides,
  };
  return buildContainerSpec({
    request,
    image: 'sha256:0123',
    uid: 123_456,
    name: 'airlock-x',
    hostname: 'sbx-1',
    labels,
    ...(runtime ? { runtime } : {}),
  });
}

void describe('buildContainerSpec', () => {
  void it('applies every hardening default', () => {
    const s = spec();
    const host = s.HostConfig!;
    assert.equal(s.NetworkDisabled, true);
    assert.equal(host.NetworkMode, 'none');
    assert.deepEqual(host.CapDrop, ['ALL']);
    assert.deepEqual(host.CapAdd, []);
    assert.equal(host.SecurityOpt?.[0], 'no-new-privileges');
    const seccomp = host.SecurityOpt?.[1] ?? '';
    assert.ok(seccomp.startsWith('seccomp='), 'the stricter profile is the container\'s own, so every exec has it');
    const profile = JSON.parse(seccomp.slice('seccomp='.length)) as SeccompProfile;
    assert.equal(profile.defaultAction, 'SCMP_ACT_ERRNO');
    assert.equal(s.Image, 'sha256:0123', 'created from the recorded image id');
    assert.equal(host.Privileged, false);
    assert.equal(host.ReadonlyRootfs, true);
    assert.equal(host.Init, true);
    assert.equal(host.IpcMode, 'private');
    assert.equal(s.User, '123456:123456', 'the sandbox\'s own uid and gid');
    assert.equal(host.ShmSize, 16 * 1024 * 1024);
    assert.equal(s.WorkingDir, '/workspace');
    assert.equal(s.Hostname, 'sbx-1');
    assert.deepEqual(host.LogConfig, { Type: 'none', Config: {} });
    assert.deepEqual(host.Binds, []);
    assert.deepEqual(host.Devices, []);
    assert.equal(s.Tty, false);
    assert.equal(s.OpenStdin, false);
    assert.equal(host.Runtime, undefined);
  });

  void it('caps both tmpfs mounts and gives the workspace to the sandbox user', () => {
    const tmpfs = spec().HostConfig!.Tmpfs!;
    assert.deepEqual(Object.keys(tmpfs).sort(), ['/tmp', '/workspace']);
    assert.match(tmpfs['/tmp']!, /size=\d+/);
    assert.match(tmpfs['/workspace']!, /size=\d+/);
    assert.match(tmpfs['/workspace']!, /uid=123456/);
    assert.match(tmpfs['/workspace']!, /gid=123456/);
    for (const options of Object.values(tmpfs)) {
      for (const flag of ['noexec', 'nosuid', 'nodev']) assert.ok(options.split(',').includes(flag), `${options}: ${flag}`);
    }
  });

  void it('sizes memory, swap, cpu and pids from the limits', () => {
    const host = spec().HostConfig!;
    assert.equal(host.Memory, 128 * 1024 * 1024);
    assert.equal(host.MemorySwap, host.Memory);
    assert.equal(host.NanoCpus, 500_000_000);
    assert.equal(host.PidsLimit, 64);
    const ulimits = host.Ulimits!;
    assert.deepEqual(ulimits.map((u) => u.Name).sort(), ['core', 'fsize', 'nofile', 'nproc']);
    for (const u of ulimits) assert.equal(u.Soft, u.Hard);
    assert.equal(ulimits.find((u) => u.Name === 'core')?.Hard, 0);
    assert.equal(ulimits.find((u) => u.Name === 'nproc')?.Hard, 64, 'the uid is the sandbox\'s own, so nproc is per sandbox');
  });

  void it('passes no environment but the scrubbed minimum', () => {
    const env = spec().Env!;
    assert.deepEqual(env, [...SANDBOX_ENV]);
    assert.deepEqual(env.map((e) => e.split('=')[0]).sort(), ['HOME', 'LANG', 'PATH']);
    assert.ok(env.includes('HOME=/tmp'));
    assert.ok(env.includes('LANG=C.UTF-8'));
  });

  void it('mounts only an anonymous, labelled volume for the code', () => {
    const mounts = spec().HostConfig!.Mounts!;
    assert.equal(mounts.length, 1);
    const [mount] = mounts;
    assert.equal(mount!.Type, 'volume');
    assert.equal(mount!.Source, '');
    assert.equal(mount!.Target, '/airlock');
    assert.equal(mount!.VolumeOptions?.Labels[LABELS.managed], 'true');
    assert.equal(mount!.VolumeOptions?.Labels[LABELS.actionId], 'act-1');
  });

  void it('labels the container and runs the language entry file, not a shell string', () => {
    // The container only idles, and only until its deadline (so an orphan stops by itself); the code runs as an
    // exec under the seccomp launcher.
    assert.deepEqual(spec({ limits: resolveLimits({ timeoutSec: 30 }) }).Cmd, ['sleep', '90']);
    assert.deepEqual(spec({ limits: resolveLimits({ timeoutSec: 1 }) }).Cmd, ['sleep', '61']);
    assert.deepEqual(codeCommand('python'), ['python3', '-I', '-S', '/airlock/launch.py', 'python3', '/airlock/main.py']);
    assert.deepEqual(codeCommand('node'), ['python3', '-I', '-S', '/airlock/launch.py', 'node', '/airlock/main.js']);
    assert.deepEqual(codeCommand('bash'), ['python3', '-I', '-S', '/airlock/launch.py', 'bash', '/airlock/main.sh']);
    assert.ok(!JSON.stringify(spec({ code: 'secret-code-marker' })).includes('secret-code-marker'));
    assert.equal(spec().Labels![LABELS.runId], 'run-1');
    assert.equal(spec().Labels![LABELS.owner], 'h:42');
  });

  void it('selects another OCI runtime only when asked', () => {
    assert.equal(spec({}, 'runsc').HostConfig!.Runtime, 'runsc');
  });

  void it('leaves namespaces, io_uring, ptrace, bpf and the keyring out of the seccomp profile', () => {
    const profile = sandboxSeccompProfile();
    const allowed = new Set(profile.syscalls.filter((r) => r.action === 'SCMP_ACT_ALLOW' && !r.args).flatMap((r) => r.names));
    for (const name of ['unshare', 'setns', 'clone3', 'io_uring_setup', 'io_uring_enter', 'ptrace', 'process_vm_readv', 'bpf', 'keyctl', 'add_key', 'userfaultfd', 'perf_event_open', 'mount', 'pivot_root', 'open_by_handle_at', 'kexec_load', 'init_module']) {
      assert.ok(!allowed.has(name), `${name} must not be allowed`);
    }
    for (const name of ['read', 'write', 'openat', 'execve', 'mmap', 'futex', 'epoll_pwait', 'wait4', 'getrandom']) assert.ok(allowed.has(name), name);
    const clone = profile.syscalls.find((r) => r.names.includes('clone'));
    assert.deepEqual(clone?.args, [{ index: 0, value: 0x7e020080, valueTwo: 0, op: 'SCMP_CMP_MASKED_EQ' }], 'clone only without namespace flags');
    assert.equal(profile.syscalls.find((r) => r.names.includes('clone3'))?.errnoRet, 38, 'clone3 looks absent, so libc uses clone');
    assert.ok(profile.archMap.every((a) => a.subArchitectures.length === 0), 'no 32-bit or x32 calls');
  });
});
