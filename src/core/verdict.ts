// What a --verify found: the command's result carries it, and the exit status follows it.

export interface Verdict {
  status: "passed" | "skipped" | "failed";
  reason: string;
  /** The facts checked, when there are several (amplify-service-role); null otherwise. */
  checks: string[] | null;
}

export const passed = (reason: string, checks?: string[]): Verdict => ({
  status: "passed",
  reason,
  checks: checks ?? null,
});

export const skipped = (reason: string): Verdict => ({ status: "skipped", reason, checks: null });
