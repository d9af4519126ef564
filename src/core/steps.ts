import { RolectlError } from "../shared/errors.js";

export interface Step {
  description: string;
  run(): Promise<unknown>;
}

/** Runs steps in order; a failure names the steps already done (and carries them in details). */
export async function applySteps(steps: Step[], onStep?: (description: string) => void): Promise<string[]> {
  const applied: string[] = [];
  for (const step of steps) {
    try {
      // onStep may throw "interrupted" (a Ctrl-C asked to stop between steps).
      onStep?.(step.description);
      await step.run();
    } catch (err) {
      const e =
        err instanceof RolectlError ? err : new RolectlError("aws_error", String(err), { cause: err });
      const stopped = e.code === "interrupted";
      const done = applied.length
        ? `Applied before ${stopped ? "stopping" : "the failure"}: ${applied.join("; ")}.`
        : "Nothing was changed.";
      const left = steps.slice(steps.indexOf(step));
      const what = stopped
        ? `Interrupted before: ${step.description}.`
        : `Could not ${step.description}: ${e.message}`;
      const rest = `Not done: ${left.map((s) => s.description).join("; ")}.`;
      throw new RolectlError(e.code, `${what}\n${done}\n${rest}`, {
        cause: err,
        ...(e.hint ? { hint: e.hint } : {}),
        details: { applied, failed: step.description, notDone: left.map((s) => s.description) },
      });
    }
    applied.push(step.description);
  }
  return applied;
}
