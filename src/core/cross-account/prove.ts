import type { SharedConfig } from "../../config/files.js";
import type { Env } from "../../shared/env.js";
import { type ChainDeps, resolveChainCredentials } from "../assume/chain.js";
import { planCredentialRequest } from "../assume/request.js";
import { verifyAssumable } from "../roles/verify.js";
import { passed, skipped, type Verdict } from "../verdict.js";

export interface ProveRequest {
  /** The config files as they are now, with the new profile in them. */
  shared: SharedConfig;
  env: Env;
  profile: string;
  roleArn: string;
  deps: ChainDeps;
  /** Whether a code can be had at all (flag, seed, env, or a person at a terminal). */
  mfaAvailable: boolean;
  requireMfa: boolean;
  timeoutMs?: number;
  onAttempt?: (attempt: number, elapsedMs: number) => void;
}

/** A real AssumeRole through the new profile, riding out IAM's propagation delay. */
export async function proveProfile(r: ProveRequest): Promise<Verdict> {
  if (r.requireMfa && !r.mfaAvailable)
    return skipped(
      `the role requires MFA and no code was given (--verify-mfa-code); try: rolectl assume --profile ${r.profile}`,
    );
  const { plan } = planCredentialRequest(r.shared, r.env, { profile: r.profile });
  // One MFA code serves every retry: a denied attempt does not use it up.
  let code: string | undefined;
  const deps: ChainDeps = {
    ...r.deps,
    mfa: async (request) => {
      code ??= await r.deps.mfa(request);
      return code;
    },
  };
  const result = await verifyAssumable(() => resolveChainCredentials(plan, deps), r.roleArn, {
    timeoutMs: r.timeoutMs ?? 45_000,
    ...(r.onAttempt ? { onAttempt: r.onAttempt } : {}),
  });
  return passed(`profile ${r.profile} assumed ${r.roleArn} (attempt ${result.attempts})`);
}
