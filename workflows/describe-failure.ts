/** One line for an activity failure: its message, and its cause's when that adds something. */
export function describeFailure(err: Error): string {
  const cause = (err as { cause?: Error }).cause;
  return cause && cause.message && cause.message !== err.message ? `${err.message}: ${cause.message}` : err.message;
}
