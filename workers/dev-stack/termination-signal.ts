/** An AbortSignal that fires on SIGINT or SIGTERM, and a function that removes the handlers again. */
export function abortOnTermination(): { signal: AbortSignal; dispose: () => void } {
  const controller = new AbortController();
  // A Ctrl-C reaches every process of the terminal's group, and npm forwards it too: a second delivery of the
  // same request must not do anything more than the first.
  const onSignal = () => controller.abort();
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    signal: controller.signal,
    dispose: () => {
      process.removeListener('SIGINT', onSignal);
      process.removeListener('SIGTERM', onSignal);
    },
  };
}
