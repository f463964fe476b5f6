import { createHash } from 'node:crypto';
import type { CapturedOutput } from '../schemas/execution.js';
import type { ActionState, RunState } from '../schemas/run.js';

/** The part of the artifact store the client needs: read a blob by its sha256. */
export interface ArtifactReader {
  get(sha256: string): Promise<Buffer | undefined>;
}

async function hydrateOutput(output: CapturedOutput, store: ArtifactReader): Promise<CapturedOutput> {
  if (output.inlineComplete) return output;
  let blob: Buffer | undefined;
  try {
    blob = await store.get(output.sha256);
  } catch {
    // An unreadable or corrupt artifact is no reason to fail the caller: the preview is still true output.
    return output;
  }
  // A blob whose hash does not match is not the output we recorded: keep the preview rather than show it.
  if (!blob || createHash('sha256').update(blob).digest('hex') !== output.sha256) return output;
  return { ...output, text: blob.toString('utf8'), inlineComplete: true };
}

async function hydrateAction(action: ActionState, store: ArtifactReader): Promise<ActionState> {
  if (!action.result) return action;
  const [stdout, stderr] = await Promise.all([
    hydrateOutput(action.result.stdout, store),
    hydrateOutput(action.result.stderr, store),
  ]);
  return { ...action, result: { ...action.result, stdout, stderr } };
}

/**
 * Returns a copy of the run whose stdout/stderr previews are replaced by the full (capped) output where the
 * artifact store has it; outputs it cannot find stay previews (`inlineComplete: false`).
 */
export async function hydrateRunOutputs(state: RunState, store: ArtifactReader): Promise<RunState> {
  const actions = await Promise.all(state.actions.map((action) => hydrateAction(action, store)));
  return { ...state, actions };
}
