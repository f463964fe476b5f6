/**
 * Airlock's Prometheus metrics. One registry per process (the embedded stack runs workers and the HTTP server
 * together, so `/metrics` sees what the workers counted). The recording functions take plain facts; where they
 * come from (a workflow sink, an activity interceptor) is wired in run-workers.
 */
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Where the Temporal runtime serves its own Prometheus metrics (host:port, loopback); unset: not served. */
export const TEMPORAL_METRICS_ADDRESS_ENV = 'AIRLOCK_TEMPORAL_METRICS_ADDRESS';

/** Bucket bounds for approval waits: seconds to a day (humans answer slowly, timeouts are long). */
const APPROVAL_WAIT_BUCKETS = [1, 5, 15, 30, 60, 300, 900, 1_800, 3_600, 4 * 3_600, 86_400];
/** Bucket bounds for sandbox executions: sub-second scripts to the longest allowed run. */
const SANDBOX_DURATION_BUCKETS = [0.25, 0.5, 1, 2, 5, 10, 30, 60, 300, 900];
/** Approval waits still open are remembered at most this many at once (a bound, not a limit anyone should hit). */
const MAX_OPEN_WAITS = 10_000;

/** A status change of one action, as the workflow reports it. */
export interface ActionStatusEvent {
  runId: string;
  actionId: string;
  status: string;
  /** Risk level once assessed. */
  risk?: string;
  /** Workflow time of the change (ISO). */
  at: string;
}

/** The facts of one finished sandbox execution that metrics use. */
export interface SandboxOutcome {
  language: string;
  durationMs: number;
  exitCode: number | null;
  timedOut: boolean;
  oomKilled: boolean;
  /** Limits the execution ran into: timeout, memory, pids, output. */
  limitsHit: string[];
  egressDenials: number;
}

const DECIDED = new Set(['approved', 'denied', 'timed_out']);

/** The metrics and the functions that record them. */
export class AirlockMetrics {
  readonly registry = new Registry();
  readonly actions: Counter<'status' | 'risk'>;
  readonly approvalWait: Histogram<'outcome' | 'risk'>;
  readonly sandboxDuration: Histogram<'language' | 'outcome'>;
  readonly sandboxLimitHits: Counter<'limit'>;
  readonly egressDenials: Counter<string>;
  private readonly openWaits = new Map<string, number>();

  constructor(options: { defaultMetrics?: boolean } = {}) {
    const registers = [this.registry];
    this.actions = new Counter({
      name: 'airlock_actions_total',
      help: 'Actions that reached each status, by risk level (unassessed actions have risk "none")',
      labelNames: ['status', 'risk'],
      registers,
    });
    this.approvalWait = new Histogram({
      name: 'airlock_approval_wait_seconds',
      help: 'Time actions waited for human approval, by how the wait ended',
      labelNames: ['outcome', 'risk'],
      buckets: APPROVAL_WAIT_BUCKETS,
      registers,
    });
    this.sandboxDuration = new Histogram({
      name: 'airlock_sandbox_duration_seconds',
      help: 'Wall-clock time of sandbox executions',
      labelNames: ['language', 'outcome'],
      buckets: SANDBOX_DURATION_BUCKETS,
      registers,
    });
    this.sandboxLimitHits = new Counter({
      name: 'airlock_sandbox_limit_hits_total',
      help: 'Sandbox executions stopped or capped by a limit (timeout, memory, pids, output)',
      labelNames: ['limit'],
      registers,
    });
    this.egressDenials = new Counter({
      name: 'airlock_egress_denials_total',
      help: 'Network attempts from sandboxes that the egress proxy denied',
      registers,
    });
    if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: this.registry, prefix: 'airlock_' });
  }

  /** Counts a status change; the decision ending an approval wait also observes how long it took. */
  recordActionStatus(event: ActionStatusEvent): void {
    const risk = event.risk ?? 'none';
    this.actions.inc({ status: event.status, risk });
    const key = `${event.runId}/${event.actionId}`;
    const at = Date.parse(event.at);
    if (event.status === 'awaiting_approval') {
      if (this.openWaits.size >= MAX_OPEN_WAITS) this.openWaits.delete(this.openWaits.keys().next().value as string);
      this.openWaits.set(key, at);
      return;
    }
    const since = this.openWaits.get(key);
    if (since !== undefined && DECIDED.has(event.status)) {
      this.openWaits.delete(key);
      this.approvalWait.observe({ outcome: event.status, risk }, Math.max(0, (at - since) / 1_000));
    }
  }

  /** Records one sandbox execution: its duration and any limit it ran into. */
  recordSandboxOutcome(outcome: SandboxOutcome): void {
    const result = outcome.timedOut ? 'timed_out' : outcome.oomKilled ? 'oom_killed' : outcome.exitCode === 0 ? 'succeeded' : 'failed';
    this.sandboxDuration.observe({ language: outcome.language, outcome: result }, outcome.durationMs / 1_000);
    for (const limit of new Set(outcome.limitsHit)) this.sandboxLimitHits.inc({ limit });
    if (outcome.egressDenials > 0) this.egressDenials.inc(outcome.egressDenials);
  }

  /** The registry in Prometheus text exposition format. */
  async exposition(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}

let shared: AirlockMetrics | undefined;

/** The process's metrics (created on first use), shared by the workers and the HTTP server's `/metrics`. */
export function processMetrics(): AirlockMetrics {
  shared ??= new AirlockMetrics();
  return shared;
}
