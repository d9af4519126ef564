// Ctrl-C or SIGTERM while rolectl applies a plan or verifies it: the first one asks the work in
// hand to stop at a safe point (after the step in flight, so an answer AWS is about to give is
// not thrown away, and the run can say exactly what it did); a second one, or one when nothing
// registered, ends the process at once.

const handlers = new Set<() => void>();

/** While registered, the next SIGINT/SIGTERM calls `onSignal` instead of exiting. */
export function interceptInterrupts(onSignal: () => void): () => void {
  handlers.add(onSignal);
  return () => {
    handlers.delete(onSignal);
  };
}

/** Called by the process's signal handler: true when registered work took the signal. */
export function deliverInterrupt(): boolean {
  if (!handlers.size) return false;
  const taken = [...handlers];
  handlers.clear();
  for (const handler of taken) handler();
  return true;
}
