import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { resolveLimits } from '../../schemas/action.js';
import type { ExecutionRequest } from '../../schemas/execution.js';
import { buildContainerSpec, codeCommand, SANDBOX_ENV } from '../../sandbox/container-spec.js';
import { sandboxLabels, LABELS } from '../../sandbox/labels.js';

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
    image: 'airlock-sandbox:latest',
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
    assert.deepEqual(host.SecurityOpt, ['no-new-privileges']);
    assert.equal(host.Privileged, false);
    assert.equal(host.ReadonlyRootfs, true);
    assert.equal(host.Init, true);
    assert.equal(host.IpcMode, 'private');
    assert.equal(s.User, '65534:65534');
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
    assert.match(tmpfs['/workspace']!, /uid=65534/);
    assert.match(tmpfs['/workspace']!, /gid=65534/);
    for (const options of Object.values(tmpfs)) assert.match(options, /nosuid/);
  });

  void it('sizes memory, swap, cpu and pids from the limits', () => {
    const host = spec().HostConfig!;
    assert.equal(host.Memory, 128 * 1024 * 1024);
    assert.equal(host.MemorySwap, host.Memory);
    assert.equal(host.NanoCpus, 500_000_000);
    assert.equal(host.PidsLimit, 64);
    const ulimits = host.Ulimits!;
    assert.deepEqual(ulimits.map((u) => u.Name).sort(), ['fsize', 'nofile', 'nproc']);
    for (const u of ulimits) assert.equal(u.Soft, u.Hard);
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
    // The container only idles; the code runs as an exec under the seccomp launcher.
    assert.deepEqual(spec().Cmd, ['sleep', 'infinity']);
    assert.deepEqual(codeCommand('python'), ['python3', '/airlock/launch.py', 'python3', '/airlock/main.py']);
    assert.deepEqual(codeCommand('node'), ['python3', '/airlock/launch.py', 'node', '/airlock/main.js']);
    assert.deepEqual(codeCommand('bash'), ['python3', '/airlock/launch.py', 'bash', '/airlock/main.sh']);
    assert.ok(!JSON.stringify(spec({ code: 'secret-code-marker' })).includes('secret-code-marker'));
    assert.equal(spec().Labels![LABELS.runId], 'run-1');
    assert.equal(spec().Labels![LABELS.owner], 'h:42');
  });

  void it('selects another OCI runtime only when asked', () => {
    assert.equal(spec({}, 'runsc').HostConfig!.Runtime, 'runsc');
  });
});
