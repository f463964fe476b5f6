import assert from 'node:assert/strict';
import { ActionInputSchema, MAX_CODE_BYTES } from '../../../schemas/action.js';
import { containersCreatedForRun } from '../../support/docker.js';
import type { AdversarialCase } from '../support/adversarial-case.js';

/** What an action carries into the sandbox: refused at the door when it is too big. */
export const INPUT_CASES: AdversarialCase[] = [
  {
    id: 'oversized-code',
    tries: `submits code larger than ${MAX_CODE_BYTES / 1024} KiB`,
    async attack(ctx) {
      const since = Date.now();
      const code = `# ${'x'.repeat(MAX_CODE_BYTES)}\nprint("ran")\n`;
      const parsed = ActionInputSchema.safeParse({ language: 'python', code });
      assert.equal(parsed.success, false, 'the action schema must refuse it');
      await assert.rejects(ctx.run({ language: 'python', code }), (err: Error) => err.name === 'CodeTooLargeError');
      assert.equal(await containersCreatedForRun(ctx.runId, since), 0, 'a container was created for refused code');
      return 'refused by the action schema and again by the sandbox; no container was created';
    },
  },
];

/** Outputs collected after exit: nothing but regular files under /workspace, however the code arranges them. */
export const OUTPUT_PATH_CASES: AdversarialCase[] = [
  {
    id: 'output-symlink',
    tries: 'declares outputs that are symlinks to host files and sockets, a symlinked folder and a FIFO',
    async attack(ctx) {
      const result = await ctx.run({
        language: 'bash',
        outputs: ['out/*.csv', 'out/etc/*', 'out/**/*.txt'],
        code: [
          'mkdir -p out/real',
          'echo "a,b" > out/ok.csv',
          'ln -s /etc/passwd out/passwd.csv',
          'ln -s /var/run/docker.sock out/docker.csv',
          'ln -s /proc/self/environ out/environ.csv',
          'ln -s /etc out/etc',
          'ln -s / out/real/root.txt',
          'mkfifo out/fifo.csv',
        ].join('\n'),
      });
      assert.equal(result.exitCode, 0, result.stderr.text);
      assert.deepEqual(result.outputFiles?.map((f) => f.path), ['out/ok.csv'], 'only the regular file is collected');
      const skipped = Object.fromEntries((result.skippedOutputs ?? []).map((s) => [s.path, s.reason]));
      // out/etc/* matches nothing: the symlinked folder is never entered.
      for (const link of ['out/passwd.csv', 'out/docker.csv', 'out/environ.csv', 'out/real/root.txt']) {
        assert.match(skipped[link] ?? '', /symbolic link/, `${link}: ${skipped[link]}`);
      }
      assert.match(skipped['out/fifo.csv'] ?? '', /not a regular file/);
      return `collected out/ok.csv only; skipped ${Object.keys(skipped).length} (symlinks not followed, symlinked folder not entered, FIFO not a regular file)`;
    },
  },
  {
    id: 'output-traversal',
    tries: 'declares output paths that leave /workspace (../, absolute)',
    async attack(ctx) {
      const since = Date.now();
      for (const outputs of [['../etc/passwd'], ['/etc/passwd'], ['out/../../etc/*']]) {
        await assert.rejects(
          ctx.run({ language: 'bash', code: 'true', outputs }),
          (err: Error) => err.name === 'InvalidSandboxRequestError',
          JSON.stringify(outputs),
        );
      }
      assert.equal(await containersCreatedForRun(ctx.runId, since), 0, 'a container was created for a refused request');
      return 'refused before any container exists (../, absolute and embedded .. paths)';
    },
  },
];
