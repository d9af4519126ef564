import type { Verdict } from "../core/verdict.js";
import { interceptInterrupts } from "../io/interrupt.js";
import { configError, isRolectlError, RolectlError } from "../shared/errors.js";

// --verify runs after the change, so its outcome joins the result instead of replacing it: the
// result is printed first, then a failed verify exits with its own error, and a verify that
// could not run exits 3 (verify_skipped) so that CI does not take "not checked" for "fine".

export interface Verification {
  verdict: Verdict;
  error?: RolectlError;
}

export async function verification(work: () => Promise<Verdict>): Promise<Verification> {
  let release = () => {};
  // Ctrl-C while verifying: everything else is done, so the result is still printed (exit 130).
  const interrupted = new Promise<Verification>((resolve) => {
    release = interceptInterrupts(() =>
      resolve({
        verdict: { status: "skipped", reason: "interrupted", checks: null },
        error: new RolectlError("interrupted", "Interrupted while verifying; everything else was done."),
      }),
    );
  });
  const verified = (async (): Promise<Verification> => {
    try {
      return { verdict: await work() };
    } catch (err) {
      if (!isRolectlError(err)) throw err;
      return { verdict: { status: "failed", reason: err.message, checks: null }, error: err };
    }
  })();
  try {
    return await Promise.race([verified, interrupted]);
  } finally {
    release();
  }
}

export const describeVerdict = (v: Verdict): string[] => [
  `verified: ${v.status}: ${v.reason}`,
  ...(v.checks ?? []).map((c) => `  - ${c}`),
];

/** Call after printing the result. */
export function settleVerification(v: Verification | undefined): void {
  if (!v) return;
  if (v.error) throw v.error;
  if (v.verdict.status === "skipped")
    throw configError("verify_skipped", `Not verified: ${v.verdict.reason}.`, {
      hint: "Everything else was done. Leave out --verify (or pass --no-verify) to skip the check knowingly.",
    });
}
