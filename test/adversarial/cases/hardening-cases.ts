import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { runExec } from '../../../sandbox/container-exec.js';
import { HELPER_ENV, HELPER_PYTHON, launched } from '../../../sandbox/container-spec.js';
import { createDockerClient } from '../../../sandbox/docker-client.js';
import { LABELS } from '../../../sandbox/labels.js';
import type { AdversarialCase, CaseContext } from '../support/adversarial-case.js';

/**
 * Python that reports, for the process it runs in, the seccomp state from /proc/self/status and what the calls the
 * profile refuses (beyond Docker's default) return: EPERM (or ENOSYS for clone3) means the profile is in force.
 * Without it, io_uring_setup(1, NULL) fails with EFAULT and ptrace(PTRACE_TRACEME) succeeds.
 */
const SECCOMP_PROBE = String.raw`
import ctypes, errno, json, os
libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long
def call(nr, *args):
    r = libc.syscall(ctypes.c_long(nr), *[ctypes.c_long(a) for a in args])
    if r == 0 and nr == 56:
        os._exit(0)  # a clone that went through: the child leaves at once
    return 'allowed' if r != -1 else errno.errorcode.get(ctypes.get_errno(), str(ctypes.get_errno()))
status = {}
for line in open('/proc/self/status'):
    if line.startswith('Seccomp'):
        key, value = line.split(':', 1)
        status[key] = value.strip()
print(json.dumps({
    'status': status,
    'io_uring_setup': call(425, 1, 0),
    'ptrace_traceme': call(101, 0, 0, 0, 0),
    'clone_newuser': call(56, 0x10000000 | 17, 0, 0, 0, 0),
    'unshare_newuser': call(272, 0x10000000),
    'clone3': call(435, 0, 0),
}))
`;

type SeccompReport = { status: Record<string, string>; [call: string]: unknown };

const REFUSED: Record<string, string> = {
  io_uring_setup: 'EPERM',
  ptrace_traceme: 'EPERM',
  clone_newuser: 'EPERM',
  unshare_newuser: 'EPERM',
  clone3: 'ENOSYS',
};

function assertProfile(where: string, report: SeccompReport): string {
  assert.equal(report.status.Seccomp, '2', `${where}: /proc/self/status says Seccomp ${report.status.Seccomp ?? 'absent'}`);
  for (const [name, errno] of Object.entries(REFUSED)) assert.equal(report[name], errno, `${where}: ${name}`);
  return `${where}: Seccomp 2${report.status.Seccomp_filters ? ` (${report.status.Seccomp_filters} filter(s))` : ''}`;
}

function sink(chunks: Buffer[]): Writable {
  return new Writable({
    write(chunk: Buffer, _encoding, callback) {
      chunks.push(chunk);
      callback();
    },
  });
}

/** While a program of this case runs: an exec of our own in its container, as its uid. */
async function plainExec(ctx: CaseContext, cmd: string[], env?: readonly string[]): Promise<string> {
  const docker = createDockerClient();
  for (let i = 0; i < 100; i++) {
    // The program's container, cold or pooled (a pooled one carries no run label): the one the sandbox reported.
    const id = ctx.containers().at(-1);
    const [running] = id ? await docker.listContainers({ filters: { id: [id], status: ['running'] } }) : [];
    const uid = running?.Labels[LABELS.uid];
    if (running && uid) {
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      const { exitCode } = await runExec(docker, docker.getContainer(running.Id), {
        cmd,
        user: `${uid}:${uid}`,
        workingDir: '/workspace',
        ...(env ? { env } : {}),
        stdout: sink(out),
        stderr: sink(err),
      });
      assert.equal(exitCode, 0, `the exec failed: ${Buffer.concat(err).toString().slice(0, 300)}`);
      return Buffer.concat(out).toString();
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  assert.fail('the sandbox container never ran');
}

function lastJson(text: string): SeccompReport {
  return JSON.parse(text.trim().split('\n').pop() ?? '{}') as SeccompReport;
}

export const HARDENING_CASES: AdversarialCase[] = [
  {
    id: 'seccomp-every-process',
    tries: 'escapes the stricter seccomp profile in a child process, a helper exec and an exec nobody wrapped',
    async attack(ctx) {
      const code = `import json, subprocess, sys, time
probe = ${JSON.stringify(SECCOMP_PROBE)}
exec(probe)
child = subprocess.run([sys.executable, '-c', probe], capture_output=True, text=True)
sys.stdout.write(child.stdout)
time.sleep(7)
`;
      const running = ctx.run({ language: 'python', code });
      // A helper exec, started exactly as Airlock starts its helpers.
      const helper = await plainExec(ctx, launched([...HELPER_PYTHON, '-c', SECCOMP_PROBE]), HELPER_ENV);
      // An exec nobody wrapped: only the container's own profile applies to it.
      const plain = await plainExec(ctx, ['python3', '-c', SECCOMP_PROBE]);
      const result = await running;
      assert.equal(result.exitCode, 0, result.stderr.text.slice(0, 400));
      const [own, child] = result.stdout.text.trim().split('\n').map((line) => JSON.parse(line) as SeccompReport);
      const observed = [
        assertProfile('code', own as SeccompReport),
        assertProfile('child of the code', child as SeccompReport),
        assertProfile('helper exec', lastJson(helper)),
      ];
      if (ctx.isolation === 'standard') {
        observed.push(assertProfile('unwrapped docker exec', lastJson(plain)));
      } else {
        // This runsc build applies the OCI profile to the container's first process only. Airlock starts no exec
        // without the launcher; an unwrapped exec needs the Docker socket, which no sandbox can reach.
        const report = lastJson(plain);
        observed.push(`unwrapped docker exec (needs the Docker socket, not reachable from a sandbox): Seccomp ${report.status.Seccomp ?? 'absent'}, unshare(CLONE_NEWUSER) ${String(report.unshare_newuser)}`);
      }
      observed.push('io_uring_setup, ptrace(TRACEME), clone(CLONE_NEWUSER), unshare(CLONE_NEWUSER): EPERM; clone3: ENOSYS');
      return observed.join('; ');
    },
  },
  {
    id: 'usercustomize-helper',
    tries: 'plants usercustomize.py so that it runs inside the output-collection helper before its seccomp filter',
    async attack(ctx) {
      const code = `import os, site, subprocess
site_dir = site.getusersitepackages()
os.makedirs(site_dir, exist_ok=True)
os.makedirs('/workspace/out', exist_ok=True)
hook = '''import sys
sys.stderr.write('USERCUSTOMIZE-RAN\\\\n')
if any(a.endswith(('helper.py', 'launch.py')) for a in sys.argv):
    open('/workspace/out/pwned.txt', 'w').write('the helper ran code from the sandbox')
'''
for name in ('usercustomize.py', 'sitecustomize.py'):
    open(os.path.join(site_dir, name), 'w').write(hook)
open(os.path.join(site_dir, 'airlock-${ctx.marker}.pth'), 'w').write('import sys; sys.stderr.write("PTH-RAN\\\\n")\\n')
open('/workspace/out/ok.txt', 'w').write('fine')
# The plant works for an ordinary interpreter with this HOME: the helpers must not be one.
control = subprocess.run(['python3', '-c', 'pass'], capture_output=True, text=True)
print('control:', 'USERCUSTOMIZE-RAN' in control.stderr, 'PTH-RAN' in control.stderr, site_dir)
`;
      const result = await ctx.run({ language: 'python', code, outputs: ['out/*'] });
      assert.equal(result.exitCode, 0, result.stderr.text.slice(0, 400));
      assert.match(result.stdout.text, /^control: True True /, 'the planted hook must run in a plain interpreter, or the case proves nothing');
      const collected = (result.outputFiles ?? []).map((f) => f.path);
      assert.deepEqual(collected, ['out/ok.txt'], 'the helper collected the outputs and ran none of the planted code');
      return `planted usercustomize.py, sitecustomize.py and a .pth in ${result.stdout.text.trim().split(' ').pop()} (they run in a plain python3); the helpers (python3 -I -S, HOME=/nonexistent) ran none: collected out/ok.txt only, no out/pwned.txt`;
    },
  },
  {
    id: 'nproc-neighbour',
    tries: 'forks to its process limit while a neighbour sandbox must still be able to fork',
    slow: true,
    async attack(ctx) {
      const hog = `import json, os, time
children = 0
failure = None
while True:
    try:
        pid = os.fork()
    except OSError as e:
        failure = e.strerror
        break
    if pid == 0:
        time.sleep(15)
        os._exit(0)
    children += 1
print(json.dumps({'uid': os.getuid(), 'children': children, 'failure': failure}), flush=True)
time.sleep(10)
`;
      const neighbour = `import json, os
ok = 0
for _ in range(16):
    pid = os.fork()
    if pid == 0:
        os._exit(0)
    os.waitpid(pid, 0)
    ok += 1
print(json.dumps({'uid': os.getuid(), 'forked': ok}))
`;
      const limits = { pids: 32, timeoutSec: 25 };
      const hogRun = ctx.run({ language: 'python', code: hog, limits });
      // Time for the hog to reach its limit (it takes well under a second on either runtime).
      await new Promise((resolve) => setTimeout(resolve, 5_000));
      const neighbourRun = ctx.run({ language: 'python', code: neighbour, limits });
      const [hogResult, neighbourResult] = await Promise.all([hogRun, neighbourRun]);
      const h = JSON.parse(hogResult.stdout.text.trim().split('\n')[0] ?? '{}') as { uid: number; children: number; failure: string | null };
      const n = JSON.parse(neighbourResult.stdout.text.trim()) as { uid: number; forked: number };
      assert.ok(h.failure, 'the hog must reach its limit');
      assert.equal(n.forked, 16, `the neighbour could fork only ${n.forked} times`);
      assert.notEqual(h.uid, n.uid, 'each sandbox runs as its own uid');
      return `hog (uid ${h.uid}) refused after ${h.children} children (${h.failure}); neighbour (uid ${n.uid}) forked 16/16 meanwhile`;
    },
  },
  {
    id: 'noexec-tmpfs',
    tries: 'runs programs it wrote into /tmp, /workspace and /dev/shm',
    async attack(ctx) {
      const code = `set -u
for dir in /tmp /workspace /dev/shm; do
  cp /bin/true "$dir/own-true" 2>/dev/null || echo "copy to $dir failed"
  printf 'echo script-ran-from-%s\\n' "$dir" > "$dir/run.sh"
  "$dir/own-true" 2>/dev/null; echo "exec binary $dir: $?"
  "$dir/run.sh" 2>/dev/null; echo "exec script $dir: $?"
  bash "$dir/run.sh"
done
echo "shm size: $(df -k --output=size /dev/shm | tail -1 | tr -d ' ')"
`;
      const result = await ctx.run({ language: 'bash', code });
      const out = result.stdout.text;
      for (const dir of ['/tmp', '/workspace', '/dev/shm']) {
        assert.match(out, new RegExp(`exec binary ${dir}: 126`), `a binary in ${dir} must not run`);
        assert.match(out, new RegExp(`exec script ${dir}: 126`), `a script in ${dir} must not run as a program`);
        assert.match(out, new RegExp(`script-ran-from-${dir}`), `bash reading a script from ${dir} still works`);
      }
      const shmKib = Number(/shm size: (\d+)/.exec(out)?.[1]);
      assert.ok(shmKib > 0 && shmKib <= 16 * 1024, `/dev/shm is ${shmKib} KiB`);
      return `exec of a copied binary and of a script: 126 (noexec) in /tmp, /workspace and /dev/shm; bash script.sh still runs; /dev/shm ${Math.round(shmKib / 1024)} MiB`;
    },
  },
];
