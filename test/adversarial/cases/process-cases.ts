import assert from 'node:assert/strict';
import type { AdversarialCase } from '../support/adversarial-case.js';
import { hostProcessesWithMarker } from '../support/host-watch.js';
import { PY_PROBE_PRELUDE, probeRecord } from '../support/python-probe.js';

/** Processes that try to outlive or outwit the sandbox, and what one sandbox may learn of another or the worker. */
export const PROCESS_CASES: AdversarialCase[] = [
  {
    id: 'sigterm-trap',
    tries: 'ignores SIGTERM and SIGINT and runs forever',
    async attack(ctx) {
      const result = await ctx.run({
        language: 'python',
        limits: { timeoutSec: 2 },
        code: 'import signal, time\nsignal.signal(signal.SIGTERM, signal.SIG_IGN)\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\nprint("trapped", flush=True)\nwhile True:\n    time.sleep(0.1)\n',
      });
      assert.equal(result.timedOut, true);
      assert.equal(result.stdout.text, 'trapped\n');
      assert.ok(result.durationMs < 6_000, `took ${result.durationMs} ms to stop`);
      return `killed (SIGKILL) at the 2 s timeout after ${result.durationMs} ms, exit ${result.exitCode}`;
    },
  },
  {
    id: 'orphans-zombies-daemons',
    tries: 'leaves a setsid daemon, an orphan holding stdout and unreaped zombies behind',
    async attack(ctx) {
      const code = [
        `setsid bash -c 'exec -a ${ctx.marker}-daemon sleep 300' </dev/null >/dev/null 2>&1 &`,
        `( exec -a ${ctx.marker}-orphan sleep 300 ) &`,
        `python3 -c 'import os\nfor _ in range(5):\n    os.fork() or os._exit(0)\nos.execv("/bin/sleep", ["${ctx.marker}-zombies", "300"])' &`,
        'disown -a',
        'sleep 2',
        'echo left-behind',
      ].join('\n');
      let seenOnHost = 0;
      const watching = { active: true };
      const watch = (async () => {
        while (watching.active) {
          seenOnHost = Math.max(seenOnHost, (await hostProcessesWithMarker(ctx.marker)).length);
          await new Promise((resolve) => setTimeout(resolve, 200));
        }
      })();
      const result = await ctx.run({ language: 'bash', limits: { timeoutSec: 20 }, code });
      watching.active = false;
      await watch;
      assert.equal(result.exitCode, 0);
      assert.equal(result.stdout.text, 'left-behind\n');
      assert.equal(result.timedOut, false, 'the run ends with its main process, not with its stragglers');
      if (ctx.isolation === 'standard') assert.ok(seenOnHost >= 3, 'the stragglers were visible while running (the check can fail)');
      // The harness then asserts that no process carrying the marker is left on the host.
      return `run ended with its main process; ${seenOnHost} straggler(s) visible on the host while running, none after`;
    },
  },
  {
    id: 'concurrent-sandbox',
    tries: 'looks for the files and processes of another sandbox running at the same time',
    async attack(ctx) {
      const first = ctx.run({
        language: 'python',
        code: `import os, time
for d in ('/workspace', '/tmp', '/dev/shm'):
    try:
        open(d + '/${ctx.marker}-first', 'w').write('secret of the first sandbox')
    except OSError:
        pass
if os.fork() == 0:
    os.execv('/bin/sleep', ['${ctx.marker}-first-proc', '30'])
time.sleep(6)
`,
      });
      await new Promise((resolve) => setTimeout(resolve, 2_500));
      const second = await ctx.run({
        language: 'python',
        code: `${PY_PROBE_PRELUDE}
seen = []
for pid in os.listdir('/proc'):
    if pid.isdigit():
        try:
            if b'${ctx.marker}' in open('/proc/%s/cmdline' % pid, 'rb').read():
                seen.append('process ' + pid)
        except OSError:
            pass
for d in ('/workspace', '/tmp', '/dev/shm', '/'):
    try:
        seen += [d + '/' + n for n in os.listdir(d) if '${ctx.marker}' in n]
    except OSError:
        pass
report(seen=seen, processes=len([p for p in os.listdir('/proc') if p.isdigit()]))
`,
      });
      const firstResult = await first;
      assert.equal(firstResult.exitCode, 0);
      const record = probeRecord(second);
      assert.deepEqual(record.seen, [], 'the second sandbox saw the first one');
      return `saw none of the other sandbox's files or processes (${String(record.processes)} processes visible, all its own)`;
    },
  },
  {
    id: 'canary-secret',
    tries: "reads the worker's environment (a canary secret is set in it)",
    async attack(ctx) {
      const name = `AIRLOCK_CANARY_${ctx.marker.toUpperCase()}`;
      const canary = `canary-${ctx.marker}-value`;
      process.env[name] = canary;
      try {
        const result = await ctx.run({
          language: 'python',
          code: `import os
print(dict(os.environ))
for pid in os.listdir('/proc'):
    for what in ('environ', 'cmdline'):
        try:
            print(pid, what, open('/proc/%s/%s' % (pid, what), 'rb').read())
        except OSError as e:
            print(pid, what, e.errno)
`,
        });
        assert.equal(result.exitCode, 0);
        assert.ok(result.stdout.text.includes('PATH'), 'the probe did print its environment');
        assert.ok(!result.stdout.text.includes(canary) && !result.stdout.text.includes(name), 'the canary leaked into the sandbox');
        return 'canary not visible in the environment or in any /proc/*/environ';
      } finally {
        delete process.env[name];
      }
    },
  },
];
