/** The mix of runs the production load test starts, and what each must end as. */
import type { ActionInput } from '../../schemas/action.js';

export type RunKind = 'auto-file' | 'auto' | 'approved' | 'denied' | 'policy-denied';

export interface RunPlan {
  index: number;
  kind: RunKind;
  action: ActionInput;
  /** The human decision the approver sends; absent when the policy decides. */
  decision?: 'approve' | 'deny';
  expectedStatus: 'succeeded' | 'denied';
  expectedStdout?: string;
  /** The content of `out.txt`, for runs that write it. */
  expectedFile?: string;
  /** Set once the run is started. */
  runId?: string;
}

/** Calls a subprocess: medium risk under the built-in rules, so a person decides. */
const medium = (marker: string) =>
  `import subprocess\nout = subprocess.run(["echo", "${marker}"], capture_output=True, text=True).stdout\nopen("out.txt", "w").write(out * 200)\nprint(out.strip())`;

/**
 * Out of every ten runs: four auto-approved with an output file, two auto-approved without, two approved by a
 * person (with a file), one denied by a person, one denied by the policy (critical risk).
 */
export function runKinds(count: number): RunPlan[] {
  return Array.from({ length: count }, (_, index): RunPlan => {
    const marker = `run-${index}`;
    switch (index % 10) {
      case 0:
      case 1:
      case 2:
      case 3:
        return {
          index,
          kind: 'auto-file',
          action: { language: 'python', code: `open("out.txt", "w").write("${marker} made this\\n" * 300)\nprint("${marker}")`, outputs: ['out.txt'] },
          expectedStatus: 'succeeded',
          expectedStdout: `${marker}\n`,
          expectedFile: `${marker} made this\n`.repeat(300),
        };
      case 4:
      case 5:
        return { index, kind: 'auto', action: { language: 'bash', code: `echo ${marker}` }, expectedStatus: 'succeeded', expectedStdout: `${marker}\n` };
      case 6:
      case 7:
        return {
          index,
          kind: 'approved',
          action: { language: 'python', code: medium(marker), outputs: ['out.txt'] },
          decision: 'approve',
          expectedStatus: 'succeeded',
          expectedStdout: `${marker}\n`,
          expectedFile: `${marker}\n`.repeat(200),
        };
      case 8:
        return { index, kind: 'denied', action: { language: 'python', code: medium(marker), outputs: ['out.txt'] }, decision: 'deny', expectedStatus: 'denied' };
      default:
        return { index, kind: 'policy-denied', action: { language: 'bash', code: `echo ${marker}; rm -rf / --no-preserve-root` }, expectedStatus: 'denied' };
    }
  });
}
