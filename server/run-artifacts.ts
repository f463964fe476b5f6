import type { RunState } from '../schemas/run.js';

/**
 * The sha256 of every artifact a run produced: full stdout and stderr, and collected output files. Carried-over
 * actions of a continued-as-new run keep their hashes, so they count too.
 */
export function artifactsOfRun(run: RunState): Set<string> {
  const hashes = new Set<string>();
  for (const action of run.actions) {
    const result = action.result;
    if (!result) continue;
    hashes.add(result.stdout.sha256);
    hashes.add(result.stderr.sha256);
    for (const file of result.outputFiles ?? []) hashes.add(file.sha256);
  }
  return hashes;
}
