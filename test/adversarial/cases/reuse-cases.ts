import assert from 'node:assert/strict';
import type { AdversarialCase } from '../support/adversarial-case.js';

/**
 * One execution tries to leave something for the next: files in every writable place, a process that hides, its
 * code. On the pooled path the second program gets another warm container, so nothing may carry over there either.
 */
export const REUSE_CASES: AdversarialCase[] = [
  {
    id: 'leftovers-for-the-next-run',
    tries: 'leaves files in /tmp, /workspace and /dev/shm and a hidden process for the next execution to find',
    async attack(ctx) {
      const secret = `${ctx.marker}-secret`;
      const first = await ctx.run({
        language: 'bash',
        code: [
          `echo ${secret} > /tmp/left-${ctx.marker}`,
          `echo ${secret} > /workspace/left-${ctx.marker}`,
          `echo ${secret} > /dev/shm/left-${ctx.marker}`,
          `setsid bash -c 'exec -a ${ctx.marker}-stay sleep 300' </dev/null >/dev/null 2>&1 &`,
          'hostname',
        ].join('\n'),
      });
      assert.equal(first.exitCode, 0, first.stderr.text);
      const second = await ctx.run({
        language: 'python',
        code: [
          'import glob, json, os, socket',
          `marker = ${JSON.stringify(ctx.marker)}`,
          'found = [p for d in ("/tmp", "/workspace", "/dev/shm") for p in glob.glob(d + "/**", recursive=True) if marker in p]',
          'procs = []',
          'for pid in filter(str.isdigit, os.listdir("/proc")):',
          '    try:',
          '        procs.append(open(f"/proc/{pid}/cmdline", "rb").read().decode(errors="replace"))',
          '    except OSError:',
          '        pass',
          'sources = [p for p in glob.glob("/tmp/.airlock/*") + glob.glob("/airlock/*") if marker in open(p, errors="replace").read()]',
          'print(json.dumps({"files": found, "procs": [p for p in procs if marker in p], "sources": sources, "host": socket.gethostname()}))',
        ].join('\n'),
      });
      assert.equal(second.exitCode, 0, second.stderr.text);
      const seen = JSON.parse(second.stdout.text) as { files: string[]; procs: string[]; sources: string[]; host: string };
      assert.deepEqual(seen.files, [], 'no file of the first execution may be visible to the second');
      assert.deepEqual(seen.procs, [], 'no process of the first execution may be visible to the second');
      // The second program's own source holds the marker (it searches for it): only its own file may.
      assert.ok(seen.sources.every((p) => p.endsWith('.py')), `the first execution's code is visible: ${seen.sources.join(', ')}`);
      assert.notEqual(second.sandbox.containerId, first.sandbox.containerId, 'a container is never used twice');
      assert.notEqual(seen.host, first.stdout.text.trim(), 'each container has its own host name');
      return `the second execution (${ctx.path}) saw none of the first's files, processes or code; containers and host names differ`;
    },
  },
];
