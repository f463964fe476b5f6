/** Reports a step of a long set-up task to the person waiting for it. */
export type ProgressReporter = (message: string) => void;

/**
 * Progress goes to stderr as plain lines so it stays readable next to pino's JSON on stdout and never mixes into
 * output a script might parse.
 */
export function createStderrProgress(stream: NodeJS.WritableStream = process.stderr): ProgressReporter {
  return (message) => {
    stream.write(`airlock: ${message}\n`);
  };
}

/** For callers (and tests) that want set-up to stay quiet. */
export const silentProgress: ProgressReporter = () => {};
