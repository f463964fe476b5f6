/**
 * `npm run bench [-- --runs N] [-- --json]`: N auto-approved python runs through Airlock, submit to result, against
 * the same code in a plain `docker run --rm` of the same image, measured in the same process and interleaved so
 * that drift on the machine hits both sides alike. Prints p50/p95 of each and the ratio.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { loadConfig } from '../../platform/config.js';
import { findFreePort } from '../../workers/dev-stack/port-check.js';
import { startDevServer, type DevServer } from '../../workers/dev-stack/temporal-dev-server.js';
import { createLogger } from '../../platform/logger.js';
import { runWorkers } from '../../workers/run-workers.js';
import { ensurePrerequisites } from '../../workers/setup/ensure-prerequisites.js';
import { createStderrProgress } from '../../workers/setup/progress.js';
import { agentRun } from '../../workflows/agent-run.js';
import { AGENT_ATTRIBUTE, AWAITING_APPROVAL_ATTRIBUTE, STATUS_ATTRIBUTE } from '../../workflows/search-attributes.js';
import { summarize } from './percentiles.js';
import { benchRiskScoring } from './risk-scoring.js';

const CODE = 'print(sum(range(10)))';
const EXPECTED_OUTPUT = '45\n';
const DEFAULT_RUNS = 20;
const WARM_UP_RUNS = 2;
/** Scoring is cheap: measured at least this often for a stable p95. */
const RISK_RUNS = 40;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { runs: { type: 'string' }, json: { type: 'boolean', default: false }, 'risk-only': { type: 'boolean', default: false } },
  });
  const runs = Number(values.runs ?? DEFAULT_RUNS);
  if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs must be a positive whole number, not ${values.runs}`);

  // Risk scoring needs neither Temporal nor Docker: measured first, on a quiet process.
  const riskScoring = await benchRiskScoring(Math.max(runs, RISK_RUNS));
  const riskLine =
    `risk scoring of one ${Math.round(riskScoring.bytes / 1024)} KiB action: p95 ${riskScoring.p95Ms} ms wall, ${riskScoring.cpuP95Ms} ms CPU ` +
    `(${Object.entries(riskScoring.perLanguage).map(([l, r]) => `${l} p50 ${r.p50Ms} / p95 ${r.p95Ms} ms`).join(', ')})\n` +
    `  cold first call ${riskScoring.coldFirstCallMs} ms (parser load ${riskScoring.parserLoadMs} ms); ` +
    Object.entries(riskScoring.perLanguage)
      .map(([l, r]) => `${l}: first ${r.firstCallMs}, cached p95 ${r.cachedP95Ms}, median parse ${r.phases.parseMs} / analyse ${r.phases.analyseMs} / text ${r.phases.textMs} / free ${r.phases.freeMs} ms`)
      .join('; ') +
    `\n  data-heavy ${Math.round(riskScoring.dataHeavy.bytes / 1024)} KiB action (12 KiB of code, the rest CSV in a literal): ` +
    `p95 ${riskScoring.dataHeavy.p95Ms} ms wall, ${riskScoring.dataHeavy.cpuP95Ms} ms CPU`;
  if (values['risk-only']) {
    process.stdout.write(`${riskLine}\n`);
    if (values.json) process.stdout.write(`${JSON.stringify({ riskScoring })}\n`);
    return;
  }

  const logger = createLogger({ name: 'airlock-bench', level: process.env.LOG_LEVEL ?? 'warn' });
  const onProgress = createStderrProgress();
  const home = await mkdtemp(path.join(os.tmpdir(), 'airlock-bench-'));
  const baseConfig = loadConfig({ ...process.env, AIRLOCK_HOME: home, AIRLOCK_TASK_QUEUE: 'airlock-bench' });
  const prerequisites = await ensurePrerequisites({
    stateDir: loadConfig().home,
    sandboxImageName: baseConfig.AIRLOCK_SANDBOX_IMAGE,
    needTemporalCli: !process.env.TEMPORAL_ADDRESS,
    needTestServer: false,
    onProgress,
    logger,
  });

  let server: DevServer | undefined;
  const abort = new AbortController();
  let workers: Promise<void> | undefined;
  try {
    let address = process.env.TEMPORAL_ADDRESS;
    if (!address) {
      const port = await findFreePort('127.0.0.1');
      onProgress(`starting a private Temporal dev server on 127.0.0.1:${port}`);
      server = await startDevServer({
        cliPath: prerequisites.temporalCli!.path,
        dbFile: path.join(home, 'temporal.db'),
        logFile: path.join(home, 'temporal-server.log'),
        ip: '127.0.0.1',
        port,
        uiPort: undefined,
        namespace: baseConfig.TEMPORAL_NAMESPACE,
        logger,
      });
      address = server.address;
    }
    const config = { ...baseConfig, TEMPORAL_ADDRESS: address };
    let ready!: () => void;
    const isReady = new Promise<void>((resolve) => (ready = resolve));
    workers = runWorkers({ config, logger, signal: abort.signal, onReady: ready });
    await Promise.race([isReady, workers]);

    const connection = await Connection.connect({ address });
    const client = new Client({ connection, namespace: config.TEMPORAL_NAMESPACE });
    const airlockOnce = async (index: number): Promise<number> => {
      const started = performance.now();
      const handle = await client.workflow.start(agentRun, {
        taskQueue: config.AIRLOCK_TASK_QUEUE,
        workflowId: `bench-${process.pid}-${index}-${Date.now()}`,
        args: [{ agent: 'bench', requester: 'bench', closeWhenDone: true, actions: [{ language: 'python', code: CODE }] }],
        typedSearchAttributes: [
          { key: AGENT_ATTRIBUTE, value: 'bench' },
          { key: STATUS_ATTRIBUTE, value: 'running' },
          { key: AWAITING_APPROVAL_ATTRIBUTE, value: false },
        ],
      });
      const run = await handle.result();
      const elapsed = performance.now() - started;
      const output = run.actions[0]?.result?.stdout.text;
      if (output !== EXPECTED_OUTPUT) throw new Error(`airlock run ${index} printed ${JSON.stringify(output)}`);
      return elapsed;
    };
    const dockerRunOnce = async (): Promise<number> => {
      const started = performance.now();
      const output = await dockerRun(config.AIRLOCK_SANDBOX_IMAGE);
      const elapsed = performance.now() - started;
      if (output !== EXPECTED_OUTPUT) throw new Error(`docker run printed ${JSON.stringify(output)}`);
      return elapsed;
    };

    onProgress(`warming up (${WARM_UP_RUNS} runs each)`);
    for (let i = 0; i < WARM_UP_RUNS; i++) {
      await airlockOnce(-1 - i);
      await dockerRunOnce();
    }
    const airlockMs: number[] = [];
    const dockerMs: number[] = [];
    for (let i = 0; i < runs; i++) {
      // Alternate which side goes first so neither always runs on a warmer machine.
      if (i % 2 === 0) {
        airlockMs.push(await airlockOnce(i));
        dockerMs.push(await dockerRunOnce());
      } else {
        dockerMs.push(await dockerRunOnce());
        airlockMs.push(await airlockOnce(i));
      }
      onProgress(`run ${i + 1}/${runs}: airlock ${airlockMs.at(-1)!.toFixed(0)} ms, docker run ${dockerMs.at(-1)!.toFixed(0)} ms`);
    }
    await connection.close();

    const summary = summarize(airlockMs, dockerMs);
    process.stdout.write(
      [
        `runs: ${summary.runs} (python ${JSON.stringify(CODE)}, auto-approved)`,
        `airlock (submit to result): p50 ${summary.airlockP50Ms} ms, p95 ${summary.airlockP95Ms} ms`,
        `docker run --rm:            p50 ${summary.dockerRunP50Ms} ms, p95 ${summary.dockerRunP95Ms} ms`,
        `ratio airlock/docker at p50: ${summary.ratioP50}`,
        riskLine,
      ].join('\n') + '\n',
    );
    if (values.json) process.stdout.write(`${JSON.stringify({ ...summary, riskScoring })}\n`);
  } finally {
    abort.abort();
    await workers?.catch(() => undefined);
    await server?.stop();
    await rm(home, { recursive: true, force: true });
  }
}

/** The baseline: the same image and code through the plain Docker CLI, no Airlock hardening or bookkeeping. */
function dockerRun(image: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('docker', ['run', '--rm', '--network', 'none', image, 'python3', '-c', CODE], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve(output) : reject(new Error(`docker run exited with ${code}`))));
  });
}

main().catch((err: unknown) => {
  createLogger({ name: 'airlock-bench' }).fatal({ err }, 'benchmark failed');
  process.exit(1);
});
