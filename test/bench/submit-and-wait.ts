/**
 * "Submit one action and wait for its result", the thing the latency and throughput suites time. It is the only
 * place that knows which SDK calls do it, so a one-call path (update-with-start) replaces it here alone. Today: a
 * one-shot run (`startRun` with the action and `closeWhenDone`), then `waitForRun`, which waits on the workflow's
 * result (no polling). With the SDK's one-call `runAndWait(input)` (it resolves with the run's state) the body
 * becomes `const run = await sdk.runAndWait({ ...BENCH_IDENTITY, actions: [action] })`, with `run.runId` as the id.
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
  const { runId } = await sdk.startRun({ ...BENCH_IDENTITY, closeWhenDone: true, actions: [action] });
  const run = await sdk.waitForRun(runId);
  const elapsedMs = performance.now() - started;
  return { runId, submittedAtMs, elapsedMs, stdout: run.actions[0]?.result?.stdout.text };
}
