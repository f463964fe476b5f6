/**
 * Observes sandbox executions for metrics without touching the activity code: an activity interceptor reads the
 * result of `executeCode` (duration, timeout, OOM, truncated output, denied egress attempts).
 */
import type { Context } from '@temporalio/activity';
import type { ActivityExecuteInput, ActivityInboundCallsInterceptor, ActivityInterceptors, Next } from '@temporalio/worker';
import type { AirlockMetrics, SandboxOutcome } from '../../platform/telemetry/metrics.js';

const SANDBOX_ACTIVITY = 'executeCode';

type Loose = Record<string, unknown>;

function isObject(value: unknown): value is Loose {
  return typeof value === 'object' && value !== null;
}

function deniedEgress(result: Loose): number {
  // Only actions with an allowlist have an egress record: the attempts, in order, each allowed or denied.
  const attempts = Array.isArray(result.egress) ? result.egress : [];
  return attempts.filter((attempt) => isObject(attempt) && attempt.verdict === 'denied').length;
}

/** Limits the execution ran into: the sandbox's own account when present, else read from the result's flags. */
function limitsHit(result: Loose, stdout: Loose, stderr: Loose): string[] {
  const usage = isObject(result.usage) ? result.usage : undefined;
  if (usage && Array.isArray(usage.limitsHit)) return usage.limitsHit.filter((kind): kind is string => typeof kind === 'string');
  const hits: string[] = [];
  if (result.timedOut === true) hits.push('timeout');
  if (result.oomKilled === true) hits.push('memory');
  if (stdout.truncated === true || stderr.truncated === true) hits.push('output');
  return hits;
}

/** The facts metrics need from an `executeCode` result, or undefined when it is not one. */
export function sandboxOutcomeOf(request: unknown, result: unknown): SandboxOutcome | undefined {
  if (!isObject(result) || !('exitCode' in result) || typeof result.durationMs !== 'number') return undefined;
  const stdout = isObject(result.stdout) ? result.stdout : {};
  const stderr = isObject(result.stderr) ? result.stderr : {};
  return {
    language: isObject(request) && typeof request.language === 'string' ? request.language : 'unknown',
    durationMs: result.durationMs,
    exitCode: typeof result.exitCode === 'number' ? result.exitCode : null,
    timedOut: result.timedOut === true,
    oomKilled: result.oomKilled === true,
    limitsHit: limitsHit(result, stdout, stderr),
    egressDenials: deniedEgress(result),
  };
}

class SandboxMetricsInbound implements ActivityInboundCallsInterceptor {
  constructor(
    private readonly context: Context,
    private readonly metrics: AirlockMetrics,
  ) {}

  async execute(input: ActivityExecuteInput, next: Next<ActivityInboundCallsInterceptor, 'execute'>): Promise<unknown> {
    const result = await next(input);
    if (this.context.info.activityType === SANDBOX_ACTIVITY) {
      const outcome = sandboxOutcomeOf(input.args[0], result);
      if (outcome) this.metrics.recordSandboxOutcome(outcome);
    }
    return result;
  }
}

/** Activity interceptor factory for `Worker.create({ interceptors: { activity: [...] } })`. */
export function sandboxMetricsInterceptor(metrics: AirlockMetrics): (context: Context) => ActivityInterceptors {
  return (context) => ({ inbound: new SandboxMetricsInbound(context, metrics) });
}
