import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { AdversarialCase } from '../support/adversarial-case.js';
import { PY_PROBE_PRELUDE, probeRecord } from '../support/python-probe.js';

const MIB = 1024 * 1024;
const execFileAsync = promisify(execFile);

/** Fork bombs, memory and disk exhaustion, CPU hogging, and the per-process limits (nofile, fsize). */
export const RESOURCE_CASES: AdversarialCase[] = [
  {
    id: 'fork-bomb-python',
    tries: 'forks until the kernel refuses, keeping every child alive',
    async attack(ctx) {
      const result = await ctx.run({
        language: 'python',
        limits: { pids: 64, timeoutSec: 30 },
        code: `${PY_PROBE_PRELUDE}
forked, error = 0, None
while forked < 100000:
    try:
        pid = os.fork()
    except OSError as e:
        error = errno.errorcode.get(e.errno, str(e.errno))
        break
    if pid == 0:
        # Each child stays alive (as a small process, so that the process count, not memory, is what runs out).
        os.execv('/bin/sleep', ['sleep', '60'])
    forked += 1
report(forked=forked, error=error)
os._exit(0)
`,
      });
      const record = probeRecord(result);
      assert.equal(result.timedOut, false, 'the bomb must be stopped by a limit, not run until the timeout');
      assert.equal(record.error, 'EAGAIN', `fork must fail with EAGAIN, got ${String(record.error)}`);
      assert.ok(Number(record.forked) < 64, `forked ${String(record.forked)} processes with a pids limit of 64`);
      return `fork refused with ${String(record.error)} after ${String(record.forked)} children (pids limit 64)`;
    },
  },
  {
    id: 'fork-bomb-bash',
    tries: 'the classic shell fork bomb :(){ :|:& };: for three seconds',
    async attack(ctx) {
      const started = Date.now();
      const running = ctx.run({ language: 'bash', limits: { pids: 64, timeoutSec: 6 }, code: ':(){ :|:& };:\nsleep 3\necho survived' });
      // While the bomb goes off, the host must still start processes promptly.
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      const forkStarted = Date.now();
      await execFileAsync('true');
      const hostForkMs = Date.now() - forkStarted;
      const result = await running;
      assert.ok(hostForkMs < 2_000, `the host needed ${hostForkMs} ms to start a process during the bomb`);
      assert.ok(Date.now() - started < 20_000, 'the sandbox must be torn down promptly');
      return `contained by the pids limit (${result.timedOut ? 'killed at the 6 s timeout' : `exited ${result.exitCode}`}); host started a process in ${hostForkMs} ms meanwhile`;
    },
  },
  {
    id: 'memory-bomb',
    tries: 'allocates and touches memory without end',
    async attack(ctx) {
      const result = await ctx.run({
        language: 'python',
        limits: { memoryMb: 128, timeoutSec: 30 },
        code: 'import sys\nhog = []\nwhile True:\n    hog.append(b"m" * (8 * 1024 * 1024))\n    sys.stdout.write("%d\\n" % len(hog)); sys.stdout.flush()\n',
      });
      const chunks = Number(result.stdout.text.trim().split('\n').pop() ?? 0);
      assert.equal(result.timedOut, false);
      assert.notEqual(result.exitCode, 0, 'the program must be stopped');
      assert.ok(chunks * 8 <= 128 + 8, `held ${chunks * 8} MiB under a 128 MiB limit`);
      return `stopped after ${chunks * 8} MiB of 128 MiB (exit ${result.exitCode}, oomKilled ${result.oomKilled})`;
    },
  },
  {
    id: 'fill-tmp',
    tries: 'writes files into /tmp until the disk is full',
    async attack(ctx) {
      const result = await ctx.run({
        language: 'python',
        limits: { memoryMb: 256 },
        code: `${PY_PROBE_PRELUDE}
total, error, chunk = 0, None, b't' * (4 * 1024 * 1024)
for i in range(1000):
    try:
        with open('/tmp/${ctx.marker}-%d' % i, 'wb') as f:
            f.write(chunk)
        total += len(chunk)
    except OSError as e:
        error = errno.errorcode.get(e.errno, str(e.errno))
        break
report(total=total, error=error)
`,
      });
      const record = probeRecord(result);
      assert.equal(record.error, 'ENOSPC');
      assert.ok(Number(record.total) <= 64 * MIB, `wrote ${String(record.total)} bytes into a 64 MiB /tmp`);
      return `ENOSPC after ${Math.round(Number(record.total) / MIB)} MiB (tmpfs cap 64 MiB); nothing in the host /tmp`;
    },
  },
  {
    id: 'cpu-burn-neighbour',
    tries: 'burns every core while a neighbour sandbox measures its own latency',
    slow: true,
    async attack(ctx) {
      const burner = ctx.run({
        language: 'python',
        limits: { cpus: 1, timeoutSec: 30 },
        code: 'import os, time\nend = time.time() + 8\nfor _ in range(2 * (os.cpu_count() or 2) - 1):\n    if os.fork() == 0:\n        break\nwhile time.time() < end:\n    pass\n',
      });
      // Let the burner get going before the neighbour starts measuring.
      await new Promise((resolve) => setTimeout(resolve, 2_500));
      const neighbour = await ctx.run({
        language: 'python',
        limits: { cpus: 1, timeoutSec: 30 },
        code: `import json, time
worst, start = 0.0, time.time()
for _ in range(40):
    t = time.time(); time.sleep(0.05); sum(range(20000)); worst = max(worst, time.time() - t - 0.05)
print(json.dumps({"total": time.time() - start, "worst": worst}))
`,
      });
      const burned = await burner;
      const measured = JSON.parse(neighbour.stdout.text) as { total: number; worst: number };
      assert.equal(neighbour.exitCode, 0);
      // The containment property: the burner never got more than its one CPU, however many processes it ran.
      const cpuMs = burned.usage?.cpuMs ?? null;
      assert.ok(cpuMs !== null, "the burner's CPU time was measured");
      const allowedMs = 1.15 * burned.durationMs + 250;
      assert.ok(cpuMs <= allowedMs, `burner used ${cpuMs} ms of CPU in ${burned.durationMs} ms with a 1-CPU quota`);
      // Generous (other test files share the machine): a starved neighbour would take many times the ideal 2.1 s.
      assert.ok(measured.total < 10, `neighbour took ${measured.total.toFixed(2)} s for 2.1 s of work`);
      return `burner held to ${(cpuMs / burned.durationMs).toFixed(2)} CPU (quota 1, two busy processes per core); neighbour finished 40 ticks in ${measured.total.toFixed(2)} s (ideal 2.1 s), worst lateness ${Math.round(measured.worst * 1000)} ms`;
    },
  },
  {
    id: 'nofile-limit',
    tries: 'opens files until the descriptor table is exhausted',
    async attack(ctx) {
      const result = await ctx.run({
        language: 'python',
        code: `${PY_PROBE_PRELUDE}
held, error = [], None
while len(held) < 1000000:
    try:
        held.append(os.open('/dev/null', os.O_RDONLY))
    except OSError as e:
        error = errno.errorcode.get(e.errno, str(e.errno))
        break
report(opened=len(held), error=error)
`,
      });
      const record = probeRecord(result);
      assert.equal(record.error, 'EMFILE');
      assert.ok(Number(record.opened) <= 1024);
      return `EMFILE after ${String(record.opened)} descriptors (nofile 1024)`;
    },
  },
  {
    id: 'fsize-limit',
    tries: 'writes one file past the maximum file size',
    async attack(ctx) {
      const result = await ctx.run({
        language: 'python',
        code: `${PY_PROBE_PRELUDE}
def beyond():
    with open('/workspace/big', 'wb') as f:
        f.seek(64 * 1024 * 1024)
        f.write(b'x')
attempt('write at 64 MiB', beyond)
report()
`,
      });
      const record = probeRecord(result);
      assert.equal(record['write at 64 MiB'], 'EFBIG');
      return 'EFBIG: a file may not grow past 64 MiB (fsize)';
    },
  },
];
