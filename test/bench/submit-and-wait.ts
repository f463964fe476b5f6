/**
 * "Submit one action and wait for its result", the thing the latency and throughput suites time. It is the only
 * place that knows which SDK calls do it. It is the SDK's one-call `runAndWait`: the start and the wait travel in one
 * update-with-start request and the answer comes when the action is final (no polling, no second round trip).
 */
import { performance } from 'node:perf_hooks';
import type { AirlockClient } from '../../client/sdk.js';
import type { ActionInput } from '../../schemas/action.js';

export const BENCH_IDENTITY = { agent: 'bench', requester: 'bench' } as const;

export interface OneShot {
  runId: string;
  /** Wall-clock time of the submit (comparable with the server's event times on this machine). */
  submittedAtMs: number;
  elapsedMs: number;
  stdout: string | undefined;
}

export async function submitAndWait(sdk: AirlockClient, action: ActionInput): Promise<OneShot> {
  const submittedAtMs = Date.now();
  const started = performance.now();
  const run = await sdk.runAndWait({ ...BENCH_IDENTITY, actions: [action] });
  const elapsedMs = performance.now() - started;
  return { runId: run.runId, submittedAtMs, elapsedMs, stdout: run.actions[0]?.result?.stdout.text };
}
