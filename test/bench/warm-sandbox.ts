/**
 * `node dist/test/bench/warm-sandbox.js [--runs N] [--json]`: the sandbox part alone, without Temporal. The same
 * python `print` runs through `DockerSandbox.execute` on the pooled path and on the cold path, interleaved, under
 * each runtime the engine has. Reports p50/p95 of the whole call and of the part from the code's delivery to its end
 * (`durationMs`). Runs are spaced out so that the pool refills between them, as for one agent's actions.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import pino from 'pino';
import { FileArtifactStore } from '../../platform/artifact-store.js';
import { delay } from '../../platform/delay.js';
import { assertDockerReachable, createDockerClient } from '../../sandbox/docker-client.js';
import { DockerSandbox } from '../../sandbox/docker-sandbox.js';
import { ensureSandboxImage } from '../../sandbox/image/ensure-sandbox-image.js';
import { STRONG_RUNTIME } from '../../sandbox/isolation.js';
import { resolveLimits, type IsolationLevel } from '../../schemas/action.js';
import { percentile } from './percentiles.js';

const CODE = 'print(sum(range(10)))';
const GAP_MS = 500;

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { runs: { type: 'string' }, json: { type: 'boolean', default: false } } });
  const runs = Number(values.runs ?? 20);
  if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs must be a positive whole number, not ${values.runs}`);
  const docker = createDockerClient();
  await assertDockerReachable(docker);
  const { image } = await ensureSandboxImage({ docker });
  const artifactDir = await mkdtemp(path.join(os.tmpdir(), 'airlock-bench-warm-'));
  const common = { docker, image, artifactStore: new FileArtifactStore(artifactDir), logger: pino({ level: 'warn' }) };
  const pooled = new DockerSandbox({ ...common, warmPool: { perClass: { standard: 2, strong: 2 }, maxClasses: 4, idleSec: 300, acquireWaitMs: 30_000 } });
  const cold = new DockerSandbox(common);
  const info = (await docker.info()) as { Runtimes?: Record<string, unknown> };
  const isolations: IsolationLevel[] = Object.keys(info.Runtimes ?? {}).includes(STRONG_RUNTIME) ? ['standard', 'strong'] : ['standard'];
  const report: Record<string, unknown> = { runs };
  try {
    for (const isolation of isolations) {
      const samples = { pooledCallMs: [] as number[], pooledCodeMs: [] as number[], coldCallMs: [] as number[], coldCodeMs: [] as number[] };
      let n = 0;
      const once = async (sandbox: DockerSandbox, call: number[], code: number[]) => {
        const started = performance.now();
        const result = await sandbox.execute({
          runId: 'bench-warm',
          actionId: `${isolation}-${++n}`,
          language: 'python',
          code: CODE,
          limits: resolveLimits(undefined),
          isolation,
        });
        if (result.stdout.text !== '45\n') throw new Error(`unexpected output: ${JSON.stringify(result.stdout.text)}`);
        call.push(performance.now() - started);
        code.push(result.durationMs);
        return result.sandbox.pooled === true;
      };
      // Warm-up: the first request of a class creates its pool.
      await once(pooled, [], []);
      await once(cold, [], []);
      for (let i = 0; i < runs; i++) {
        await delay(GAP_MS);
        if (!(await once(pooled, samples.pooledCallMs, samples.pooledCodeMs))) throw new Error('a pooled run did not get a warm container');
        await delay(GAP_MS);
        await once(cold, samples.coldCallMs, samples.coldCodeMs);
        process.stderr.write(`${isolation} ${i + 1}/${runs}: pooled ${Math.round(samples.pooledCallMs.at(-1)!)} ms, cold ${Math.round(samples.coldCallMs.at(-1)!)} ms\n`);
      }
      const round = (ms: number) => Math.round(ms * 10) / 10;
      report[isolation] = Object.fromEntries(
        Object.entries(samples).map(([k, v]) => [k, { p50: round(percentile(v, 50)), p95: round(percentile(v, 95)) }]),
      );
    }
  } finally {
    await Promise.all([pooled.close(), cold.close()]);
    await rm(artifactDir, { recursive: true, force: true });
  }
  process.stdout.write(`${JSON.stringify(report)}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
