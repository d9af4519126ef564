// Ctrl-C or SIGTERM while rolectl applies a plan: the first one asks it to stop after the step
// in flight (so an answer AWS is about to give is not thrown away, and the run can say exactly
// what it did); a second one, or one outside such a run, ends the process at once.

let graceful: (() => void) | undefined;

/** While `onSignal` is registered, the next SIGINT/SIGTERM calls it instead of exiting. */
export function interceptInterrupts(onSignal: () => void): () => void {
  graceful = onSignal;
  return () => {
    if (graceful === onSignal) graceful = undefined;
  };
}

/** Called by the process's signal handler: true when a running plan took the signal. */
export function deliverInterrupt(): boolean {
  const handler = graceful;
  graceful = undefined;
  handler?.();
  return handler !== undefined;
}
