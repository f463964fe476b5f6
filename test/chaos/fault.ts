/** One fault of the suite, its context, and the bounded run of it that yields one row of the table. */
import type Docker from 'dockerode';
import type { LocalServer } from '../support/egress-servers.js';
import type { WebhookReceiver } from '../support/webhook-receiver.js';
import type { ChaosStack } from './chaos-stack.js';
import type { ContainerStarts } from './container-starts.js';
import { leftoversOf, staleFirewallRules } from './leftovers.js';

export interface FaultContext {
  stack: ChaosStack;
  docker: Docker;
  /** Loopback HTTP server that networked actions call: its request log counts real executions. */
  counter: LocalServer;
  webhook: WebhookReceiver;
  /** Container starts per run on the shared engine, counted live: executions of code without network. */
  starts: ContainerStarts;
  policyFile: string;
  /** Load size (runs) for the load fault. */
  loadRuns: number;
  progress(message: string): void;
}

/** What a fault observed. `problems` lists every broken promise; empty means the fault passed. */
export interface FaultOutcome {
  runIds: string[];
  lost: number;
  /** Executions beyond one where at most once applies (undeclared duplicates). */
  duplicated: number;
  /** Re-executions the semantics declare (no-network actions are at least once): shown, not a failure. */
  declaredRetries?: number;
  /** Objects the fault itself found left behind where runFault does not look (a private engine of the fault's). */
  orphaned?: number;
  notes: string[];
  problems: string[];
}

export interface Fault {
  name: string;
  timeoutMs: number;
  run(ctx: FaultContext): Promise<FaultOutcome>;
}

export interface FaultRow {
  fault: string;
  runs: number;
  lost: number;
  duplicated: number;
  orphaned: number;
  declaredRetries: number;
  seconds: number;
  passed: boolean;
  notes: string[];
}

/** Runs one fault within its time bound, then counts what it left behind. A fault that throws is a failed row. */
export async function runFault(fault: Fault, ctx: FaultContext): Promise<FaultRow> {
  const started = Date.now();
  const staleRulesBefore = await staleFirewallRules();
  let outcome: FaultOutcome;
  let timer: NodeJS.Timeout | undefined;
  try {
    outcome = await Promise.race([
      fault.run(ctx),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`did not finish within its bound of ${fault.timeoutMs / 1000} s`)), fault.timeoutMs);
      }),
    ]);
  } catch (err) {
    outcome = { runIds: [], lost: 0, duplicated: 0, notes: [], problems: [err instanceof Error ? err.message : String(err)] };
  } finally {
    clearTimeout(timer);
  }
  const leftovers = await leftoversOf({ docker: ctx.docker, runIds: outcome.runIds, home: ctx.stack.home, staleRulesBefore });
  const problems = [...outcome.problems, ...leftovers.map((l) => `left behind: ${l.kind} ${l.name}`)];
  if (outcome.lost > 0 && outcome.problems.length === 0) problems.push(`${outcome.lost} run(s) lost`);
  if (outcome.duplicated > 0 && outcome.problems.length === 0) problems.push(`${outcome.duplicated} undeclared duplicate execution(s)`);
  return {
    fault: fault.name,
    runs: outcome.runIds.length,
    lost: outcome.lost,
    duplicated: outcome.duplicated,
    orphaned: leftovers.length + (outcome.orphaned ?? 0),
    declaredRetries: outcome.declaredRetries ?? 0,
    seconds: Math.round((Date.now() - started) / 1000),
    passed: problems.length === 0,
    notes: problems.length > 0 ? problems : outcome.notes,
  };
}
