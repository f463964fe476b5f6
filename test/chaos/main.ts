/**
 * `npm run chaos [-- --runs N] [-- --only TEXT] [-- --budget-min M]`: the fault and load suite (issue 16 item 8). It starts its own
 * Temporal dev server on a database file and the workers as child processes, breaks them one fault at a time
 * (each fault bounded in time), and prints the table (fault, runs, lost, duplicated, orphaned), which it also
 * writes into docs/reliability.md. Every target is on this machine: loopback servers, the suite's own processes,
 * containers found by the suite's labels. Exits non-zero when any fault broke a promise.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import Docker from 'dockerode';
import { loadConfig } from '../../platform/config.js';
import { createLogger } from '../../platform/logger.js';
import { ensureSigningKey } from '../../server/decision-signer.js';
import { ensurePrerequisites } from '../../workers/setup/ensure-prerequisites.js';
import { createStderrProgress } from '../../workers/setup/progress.js';
import { startLocalServer } from '../support/egress-servers.js';
import { startWebhookReceiver } from '../support/webhook-receiver.js';
import { startChaosStack } from './chaos-stack.js';
import { writeChaosPolicy } from './chaos-policy.js';
import { recordContainerStarts } from './container-starts.js';
import { runFault, type Fault, type FaultRow } from './fault.js';
import { renderTable, writeTableIntoDoc } from './fault-table.js';
import { notRunRow, withinBudget } from './suite-budget.js';
import { SANDBOX_KILL_FAULT } from './faults/sandbox-kill.js';
import { SANDBOX_STALL_FAULTS } from './faults/sandbox-stall.js';
import { APPROVAL_OUTAGE_FAULTS, controlWorker } from './faults/approval-outages.js';
import { DATA_FAULTS, TOKEN_FAULTS } from './faults/data-faults.js';
import { LOAD_FAULT } from './faults/load.js';
import { ENGINE_OUTAGE_FAULT } from './faults/engine-outage.js';

/** 60 mixed runs took 75 s (whole suite 614 s) on the 2-core machine under a load average of 14; `--runs 1000` for the full load. */
const DEFAULT_LOAD_RUNS = 60;
/**
 * The whole suite's bound (`--budget-min`): about twice a full run on a quiet 2-core machine, so a busy machine
 * still finishes, and a suite whose faults all hang their own bounds still ends well inside CI's hour.
 */
const DEFAULT_BUDGET_MIN = 20;
const WEBHOOK_SECRET = 'chaos-webhook-secret';

const [SIGSTOP_FAULT, SIGTERM_FAULT] = SANDBOX_STALL_FAULTS as [Fault, Fault];
/**
 * In order; the faults of one group run at the same time. Only faults that share nothing run together: the token
 * faults need no worker and use homes of their own, and the SIGSTOP fault mostly waits.
 */
const FAULT_GROUPS: Fault[][] = [
  [SANDBOX_KILL_FAULT],
  [SIGSTOP_FAULT, ...TOKEN_FAULTS],
  [SIGTERM_FAULT],
  ...APPROVAL_OUTAGE_FAULTS.map((f) => [f]),
  [ENGINE_OUTAGE_FAULT],
  ...DATA_FAULTS.map((f) => [f]),
  [LOAD_FAULT],
];
const FAULTS = FAULT_GROUPS.flat();

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: { runs: { type: 'string' }, only: { type: 'string', multiple: true }, 'no-doc': { type: 'boolean', default: false }, 'budget-min': { type: 'string' } },
  });
  const loadRuns = Number(values.runs ?? DEFAULT_LOAD_RUNS);
  if (!Number.isInteger(loadRuns) || loadRuns < 6) throw new Error(`--runs must be a whole number of at least 6 (one of each kind), not ${values.runs}`);
  const budgetMs = Number(values['budget-min'] ?? DEFAULT_BUDGET_MIN) * 60_000;
  if (!(budgetMs > 0)) throw new Error(`--budget-min must be a positive number of minutes, not ${values['budget-min']}`);
  const selected = (f: Fault) => !values.only || values.only.some((text) => f.name.includes(text));
  const groups = FAULT_GROUPS.map((group) => group.filter(selected)).filter((group) => group.length > 0);
  if (groups.length === 0) throw new Error(`no fault matches --only ${values.only!.join(', ')}; faults: ${FAULTS.map((f) => f.name).join('; ')}`);

  const logger = createLogger({ name: 'airlock-chaos', level: process.env.LOG_LEVEL ?? 'warn' });
  const progress = createStderrProgress();
  const baseConfig = loadConfig();
  const prerequisites = await ensurePrerequisites({
    stateDir: baseConfig.home,
    sandboxImageName: baseConfig.AIRLOCK_SANDBOX_IMAGE,
    needTemporalCli: true,
    needTestServer: false,
    onProgress: progress,
    logger,
  });
  const home = await mkdtemp(path.join(os.tmpdir(), 'airlock-chaos-'));
  ensureSigningKey(home);
  const [counter, webhook] = await Promise.all([startLocalServer('counter'), startWebhookReceiver()]);
  const policyFile = await writeChaosPolicy(home, webhook.url);
  const started = Date.now();
  const rows: FaultRow[] = [];
  const stack = await startChaosStack({
    home,
    cliPath: prerequisites.temporalCli!.path,
    namespace: baseConfig.TEMPORAL_NAMESPACE,
    env: { ...process.env, AIRLOCK_POLICY: policyFile, AIRLOCK_WEBHOOK_SECRET: WEBHOOK_SECRET },
    logger,
  });
  try {
    progress(`chaos: Temporal on ${stack.address}, state in ${home}; starting the control worker`);
    controlWorker.current = await stack.startWorker('control');
    const docker = new Docker();
    const ctx = { stack, docker, starts: await recordContainerStarts(docker), counter, webhook, policyFile, loadRuns, progress };
    for (const group of groups) {
      const groupRows = await Promise.all(
        group.map(async (unbounded) => {
          const fault = withinBudget(unbounded, budgetMs - (Date.now() - started));
          if (!fault) return notRunRow(unbounded, budgetMs);
          progress(`chaos: ${fault.name}`);
          const row = await runFault(fault, ctx);
          progress(`chaos: ${fault.name}: ${row.passed ? 'passed' : 'FAILED'} in ${row.seconds} s${row.notes.length ? ` (${row.notes.join('; ')})` : ''}`);
          return row;
        }),
      );
      rows.push(...groupRows);
    }
  } finally {
    await stack.stop();
    await Promise.all([counter.close(), webhook.close()]);
  }
  const table = renderTable(rows, { date: new Date().toISOString().slice(0, 16).replace('T', ' ') + ' UTC', totalSeconds: Math.round((Date.now() - started) / 1000), loadRuns });
  process.stdout.write(`${table}\n`);
  const failed = rows.filter((r) => !r.passed).length;
  // A partial run (--only) would replace the whole table with a few rows: only a full run writes the doc.
  if (!values['no-doc'] && !values.only) progress(`chaos: wrote the table into ${await writeTableIntoDoc(table)}`);
  if (failed === 0) await rm(home, { recursive: true, force: true });
  else progress(`chaos: ${failed} fault(s) failed; kept ${home} (worker and Temporal logs) for inspection`);
  return failed === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`airlock chaos: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
