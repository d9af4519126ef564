import { AssumeRoleCommand, type STSClient } from "@aws-sdk/client-sts";
import { awsErrorName, RolectlError } from "../../shared/errors.js";
import { passed, skipped, type Verdict } from "../verdict.js";
import { getCallerIdentity } from "../whoami.js";

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

export interface AccountTrustProof {
  roleArn: string;
  /** The account the role trusts, when it trusts one (only then can it be test-assumed here). */
  trustedAccount?: string;
  externalId?: string;
  requireMfa: boolean;
  timeoutMs: number;
  onAttempt?: (attempt: number, elapsedMs: number) => void;
}

/** `role create --verify`: the caller (in the trusted account) assumes the new role. */
export async function verifyAccountTrust(
  sts: Pick<STSClient, "send">,
  p: AccountTrustProof,
): Promise<Verdict> {
  if (p.trustedAccount === undefined)
    return skipped("only a role trusting an account can be test-assumed from here");
  if (p.requireMfa)
    return skipped("the role requires MFA (test it with rolectl assume --role-arn ARN --mfa-serial SERIAL)");
  const caller = await getCallerIdentity(sts);
  if (caller.account !== p.trustedAccount)
    return skipped(`the caller (account ${caller.account}) is not the trusted account ${p.trustedAccount}`);
  const r = await verifyAssumable(
    () =>
      sts.send(
        new AssumeRoleCommand({
          RoleArn: p.roleArn,
          RoleSessionName: "rolectl-verify",
          DurationSeconds: 900,
          ...(p.externalId ? { ExternalId: p.externalId } : {}),
        }),
      ),
    p.roleArn,
    { timeoutMs: p.timeoutMs, ...(p.onAttempt ? { onAttempt: p.onAttempt } : {}) },
  );
  return passed(
    `${caller.arn} assumed the role (attempt ${r.attempts}, ${Math.round(r.elapsedMs / 1000)} s)`,
  );
}
