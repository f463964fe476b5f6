import assert from 'node:assert/strict';
import type { AdversarialCase } from '../support/adversarial-case.js';

const MIB = 1024 * 1024;
/** The default output cap (LIMIT_BOUNDS.outputBytes.default). */
const OUTPUT_CAP = MIB;
/** The worker may buffer a little while discarding; a flood must not grow it by anything like the flood's size. */
const WORKER_GROWTH_LIMIT = 200 * MIB;

/** Samples the worker's resident memory while `work` runs; returns the largest growth seen. */
async function peakRssGrowth<T>(work: Promise<T>): Promise<{ value: T; growth: number }> {
  const base = process.memoryUsage().rss;
  let peak = base;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 100);
  try {
    const value = await work;
    return { value, growth: Math.max(peak, process.memoryUsage().rss) - base };
  } finally {
    clearInterval(timer);
  }
}

/** Output floods and malformed output: the worker must stay small and record exactly what it kept. */
export const OUTPUT_CASES: AdversarialCase[] = [
  {
    id: 'stdout-flood-1gb',
    tries: 'writes 1 GB to stdout',
    slow: true,
    async attack(ctx) {
      const started = Date.now();
      const { value: result, growth } = await peakRssGrowth(
        ctx.run({
          language: 'python',
          limits: { timeoutSec: 120 },
          code: 'import sys\nchunk = b"y" * (1024 * 1024)\nfor _ in range(1024):\n    sys.stdout.buffer.write(chunk)\n',
        }),
      );
      assert.equal(result.stdout.bytes, OUTPUT_CAP, 'exactly the cap is kept');
      assert.equal(result.stdout.truncated, true);
      assert.ok(growth < WORKER_GROWTH_LIMIT, `worker memory grew by ${Math.round(growth / MIB)} MiB`);
      const stored = await ctx.artifacts.get(result.stdout.sha256);
      assert.equal(stored?.length, OUTPUT_CAP);
      return `kept the first ${OUTPUT_CAP / MIB} MiB, flagged truncated; worker grew ${Math.round(growth / MIB)} MiB; ${((Date.now() - started) / 1000).toFixed(1)} s${result.timedOut ? ' (timed out)' : ''}`;
    },
  },
  {
    id: 'huge-line',
    tries: 'writes one 64 MB line with no newline',
    async attack(ctx) {
      const { value: result, growth } = await peakRssGrowth(
        ctx.run({
          language: 'node',
          limits: { timeoutSec: 60, memoryMb: 512 },
          code: 'const chunk = "z".repeat(8 * 1024 * 1024);\nfor (let i = 0; i < 8; i++) process.stdout.write(chunk);\n',
        }),
      );
      assert.equal(result.stdout.bytes, OUTPUT_CAP);
      assert.equal(result.stdout.truncated, true);
      assert.ok(!result.stdout.text.includes('\n'));
      assert.ok(Buffer.byteLength(result.stdout.text) <= 64 * 1024, 'the inline preview stays within 64 KiB');
      assert.ok(growth < WORKER_GROWTH_LIMIT, `worker memory grew by ${Math.round(growth / MIB)} MiB`);
      return `kept ${OUTPUT_CAP / MIB} MiB of 64 MiB, preview ${Buffer.byteLength(result.stdout.text) / 1024} KiB, truncated`;
    },
  },
  {
    id: 'invalid-utf8',
    tries: 'writes bytes that are not UTF-8 to stdout and stderr',
    async attack(ctx) {
      const raw = Buffer.from([0xff, 0xfe, 0x20, 0xc3, 0x28, 0x20, 0xed, 0xa0, 0x80, 0x20, 0xf4, 0x90, 0x80, 0x80, 0x20, 0x6f, 0x6b, 0xe2, 0x82]);
      const literal = [...raw].map((b) => `\\x${b.toString(16).padStart(2, '0')}`).join('');
      const result = await ctx.run({
        language: 'python',
        code: `import sys\nsys.stdout.buffer.write(b"${literal}")\nsys.stderr.buffer.write(b"${literal}")\n`,
      });
      assert.equal(result.exitCode, 0);
      assert.deepEqual(await ctx.artifacts.get(result.stdout.sha256), raw, 'the stored bytes are exactly what was written');
      assert.deepEqual(await ctx.artifacts.get(result.stderr.sha256), raw);
      assert.ok(result.stdout.text.includes('\uFFFD'), 'the preview shows replacement characters');
      assert.doesNotThrow(() => JSON.parse(JSON.stringify(result)), 'the result stays serialisable');
      return `stored byte-exact (${raw.length} bytes, sha256 kept); preview uses U+FFFD`;
    },
  },
];
