import { awsErrorName, RolectlError } from "../../shared/errors.js";

// Right after a role or trust change, IAM is eventually consistent: AssumeRole may be denied
// for 10-20 s. Verification retries AccessDenied with backoff for a bounded time.

export interface VerifyOptions {
  timeoutMs: number;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
  onAttempt?: (attempt: number, elapsedMs: number) => void;
}

export async function verifyAssumable(
  attempt: () => Promise<unknown>,
  roleArn: string,
  options: VerifyOptions,
): Promise<{ attempts: number; elapsedMs: number }> {
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const now = options.now ?? Date.now;
  const started = now();
  let delay = 500;
  for (let n = 1; ; n++) {
    options.onAttempt?.(n, now() - started);
    try {
      await attempt();
      return { attempts: n, elapsedMs: now() - started };
    } catch (err) {
      if (awsErrorName(err) !== "AccessDenied") throw err;
      const elapsed = now() - started;
      if (elapsed + delay > options.timeoutMs) {
        throw new RolectlError(
          "verify_failed",
          `Could not assume ${roleArn} after ${n} attempts in ${Math.round(elapsed / 1000)} s: ${(err as Error).message}`,
          {
            cause: err,
            hint: "IAM changes usually work within 20 s; if this persists, check the trust policy (rolectl role show) and that the caller is the trusted account.",
          },
        );
      }
      await sleep(delay);
      delay = Math.min(delay * 2, 4000);
    }
  }
}
