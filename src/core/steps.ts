import { RolectlError } from "../shared/errors.js";

/**
 * One change rolectl plans or makes: what a person reads, and what a program reads (the AWS
 * operation, or "write-file", and what it acts on). `--json` prints these objects as `actions`.
 */
export interface Action {
  description: string;
  /** The AWS API operation ("iam:CreateRole", "amplify:UpdateApp") or "file:write". */
  operation: string;
  /**
   * What the operation is called on: the role or user name for IAM role and user calls, the
   * policy ARN for policy calls, the MFA device serial, the app or branch ARN for Amplify, the
   * file's path for a file.
   */
  target: string;
}

export interface Step extends Action {
  run(): Promise<unknown>;
}

/** The action of a step, without its function (what plans and results carry). */
export const actionOf = ({ description, operation, target }: Action): Action => ({
  description,
  operation,
  target,
});

/** Runs steps in order; a failure names the steps already done (and carries them in details). */
export async function applySteps(steps: Step[], onStep?: (description: string) => void): Promise<Action[]> {
  const applied: Action[] = [];
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
        ? `Applied before ${stopped ? "stopping" : "the failure"}: ${applied.map((a) => a.description).join("; ")}.`
        : "Nothing was changed.";
      const left = steps.slice(steps.indexOf(step));
      const what = stopped
        ? `Interrupted before: ${step.description}.`
        : `Could not ${step.description}: ${e.message}`;
      const rest = `Not done: ${left.map((s) => s.description).join("; ")}.`;
      throw new RolectlError(e.code, `${what}\n${done}\n${rest}`, {
        cause: err,
        ...(e.hint ? { hint: e.hint } : {}),
        details: {
          applied: applied.map((a) => a.description),
          failed: step.description,
          notDone: left.map((s) => s.description),
        },
      });
    }
    applied.push(actionOf(step));
  }
  return applied;
}
