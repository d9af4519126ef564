import { RolectlError } from "../shared/errors.js";

export interface Step {
  description: string;
  run(): Promise<unknown>;
}

/** Runs steps in order; a failure names the steps already done (and carries them in details). */
export async function applySteps(steps: Step[], onStep?: (description: string) => void): Promise<string[]> {
  const applied: string[] = [];
  for (const step of steps) {
    onStep?.(step.description);
    try {
      await step.run();
    } catch (err) {
      const e =
        err instanceof RolectlError ? err : new RolectlError("aws_error", String(err), { cause: err });
      const done = applied.length
        ? `Applied before the failure: ${applied.join("; ")}.`
        : "Nothing was changed.";
      throw new RolectlError(e.code, `Could not ${step.description}: ${e.message}\n${done}`, {
        cause: err,
        ...(e.hint ? { hint: e.hint } : {}),
        details: { applied, failed: step.description },
      });
    }
    applied.push(step.description);
  }
  return applied;
}
