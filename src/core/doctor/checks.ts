import { asList as list, type PolicyDocumentShape, statementsOf } from "../policies/document.js";
import { evaluateTrust, wildcardMatch } from "../policies/trust-eval.js";

// `rolectl doctor`: why would (or does) assuming a profile's role fail? AWS answers every
// mismatch with the same AccessDenied; each check here looks at one cause, in the order a request
// meets them, and says how to fix it. Reads only: AssumeRole is called only with --try.

export interface DoctorCheck {
  check: string;
  ok: boolean;
  /** Could not be checked (no permission to read, or another account's role): not a failure. */
  skipped?: boolean;
  detail: string;
  fix?: string;
}

export interface DoctorStep {
  /** The profile whose role it is ("" for --role-arn). */
  profile: string;
  roleArn: string;
  externalId?: string;
  mfaSerial?: string;
  /** Where the source credentials come from, for the fixes ("profile devcorpuser"). */
  source: string;
}

type Denied = "denied";

export interface DoctorDeps {
  /** GetCallerIdentity with the source credentials; throws when they are refused. */
  callerIdentity(): Promise<{ arn: string; account: string }>;
  /** Local clock minus AWS's (the Date header), in ms; undefined when unknown. */
  clockSkewMs(): Promise<number | undefined>;
  /** The user's identity policies (attached, inline, and its groups'). */
  userPolicies(userName: string): Promise<PolicyDocumentShape[] | Denied>;
  mfaDevices(userName: string): Promise<string[] | Denied>;
  /** The role as its account sees it; "unreadable" when no credentials of that account can read it. */
  role(
    roleArn: string,
    callerAccount: string,
  ): Promise<{ trust: PolicyDocumentShape } | "missing" | "unreadable">;
}

/** Whether identity policies allow an action on a resource (Deny wins; conditions not evaluated). */
export function identityAllows(policies: PolicyDocumentShape[], action: string, resource: string): boolean {
  let allowed = false;
  for (const doc of policies)
    for (const s of statementsOf(doc)) {
      const actionOk =
        s.NotAction !== undefined
          ? !list(s.NotAction).some((a) => wildcardMatch(a, action, true))
          : list(s.Action).some((a) => wildcardMatch(a, action, true));
      const resourceOk =
        s.NotResource !== undefined
          ? !list(s.NotResource).some((r) => wildcardMatch(r, resource))
          : list(s.Resource).some((r) => wildcardMatch(r, resource));
      if (!actionOk || !resourceOk) continue;
      // A conditional Deny (the usual "deny everything without MFA") is not judged here.
      if (s.Effect === "Deny" && s.Condition === undefined) return false;
      if (s.Effect === "Allow") allowed = true;
    }
  return allowed;
}

const userOf = (arn: string) => /^arn:[\w-]+:iam::\d{12}:user\/(?:.*\/)?([^/]+)$/.exec(arn)?.[1];

export async function runDoctor(step: DoctorStep, deps: DoctorDeps): Promise<DoctorCheck[]> {
  const checks: DoctorCheck[] = [];
  const profileLine = step.profile ? `[profile ${step.profile}]` : "the command line";

  let caller: { arn: string; account: string };
  try {
    caller = await deps.callerIdentity();
    checks.push({ check: "source credentials", ok: true, detail: `${step.source} is ${caller.arn}` });
  } catch (err) {
    checks.push({
      check: "source credentials",
      ok: false,
      detail: `${step.source} was refused: ${(err as Error).message}`,
      fix: `Give ${step.source} working keys (aws configure --profile …), or sign in again.`,
    });
    return checks;
  }

  const skew = await deps.clockSkewMs().catch(() => undefined);
  if (skew === undefined)
    checks.push({ check: "clock", ok: true, skipped: true, detail: "AWS's time could not be read" });
  else
    checks.push({
      check: "clock",
      ok: Math.abs(skew) < 5 * 60_000,
      detail: `this clock is ${Math.round(Math.abs(skew) / 1000)} s ${skew >= 0 ? "ahead of" : "behind"} AWS`,
      ...(Math.abs(skew) >= 5 * 60_000
        ? { fix: "Set the clock right (NTP): AWS refuses requests over 5 minutes off." }
        : {}),
    });

  const user = userOf(caller.arn);
  if (!user)
    checks.push({
      check: "permission to assume",
      ok: true,
      skipped: true,
      detail: `${caller.arn} is not an IAM user; its policies are not read`,
    });
  else {
    const policies = await deps.userPolicies(user);
    if (policies === "denied")
      checks.push({
        check: "permission to assume",
        ok: true,
        skipped: true,
        detail: `user ${user} may not read its own policies`,
      });
    else {
      const ok = identityAllows(policies, "sts:AssumeRole", step.roleArn);
      checks.push({
        check: "permission to assume",
        ok,
        detail: ok
          ? `user ${user}'s policies allow sts:AssumeRole on ${step.roleArn}`
          : `no policy of user ${user} allows sts:AssumeRole on ${step.roleArn}`,
        ...(ok
          ? {}
          : {
              fix: `Attach a policy allowing sts:AssumeRole on ${step.roleArn} to user ${user} (rolectl cross-account grant-user does).`,
            }),
      });
    }
  }

  if (step.mfaSerial) {
    const devices = user ? await deps.mfaDevices(user) : "denied";
    if (devices === "denied")
      checks.push({
        check: "MFA device",
        ok: true,
        skipped: true,
        detail: `the devices of ${caller.arn} could not be listed`,
      });
    else {
      const ok = devices.includes(step.mfaSerial);
      checks.push({
        check: "MFA device",
        ok,
        detail: ok
          ? `${step.mfaSerial} is enabled for user ${user}`
          : `${step.mfaSerial} is not an enabled device of user ${user}${devices.length ? ` (enabled: ${devices.join(", ")})` : ""}`,
        ...(ok
          ? {}
          : {
              fix: `Enable the device for ${user} (rolectl cross-account enable-codes), or set mfa_serial in ${profileLine} to one that is.`,
            }),
      });
    }
  }

  const role = await deps.role(step.roleArn, caller.account);
  if (role === "unreadable") {
    checks.push({
      check: "role and trust",
      ok: true,
      skipped: true,
      detail: `${step.roleArn} is in another account and could not be read`,
      fix: "Pass --trusting-profile P (a profile of the role's account) to check its trust policy.",
    });
    return checks;
  }
  if (role === "missing") {
    checks.push({
      check: "role and trust",
      ok: false,
      detail: `${step.roleArn} does not exist`,
      fix: `Check role_arn in ${profileLine}, or create the role (rolectl cross-account trust-role).`,
    });
    return checks;
  }
  const decision = evaluateTrust(role.trust, {
    principalArn: caller.arn,
    action: "sts:AssumeRole",
    context: {
      ...(step.externalId ? { "sts:ExternalId": step.externalId } : {}),
      ...(step.mfaSerial ? { "aws:MultiFactorAuthPresent": "true", "aws:MultiFactorAuthAge": "0" } : {}),
      "aws:PrincipalAccount": caller.account,
      "aws:PrincipalArn": caller.arn,
    },
    // What doctor knows of the request; a condition on anything else is not judged offline.
    knownKeys: [
      "sts:ExternalId",
      "aws:MultiFactorAuthPresent",
      "aws:MultiFactorAuthAge",
      "aws:PrincipalAccount",
      "aws:PrincipalArn",
    ],
  });
  const reason = decision.reasons[0] ?? "";
  checks.push({
    check: "role and trust",
    ok: decision.allowed,
    detail: decision.allowed
      ? `the trust policy of ${step.roleArn} allows ${caller.arn}`
      : `the trust policy refuses: ${reason}`,
    ...(decision.allowed ? {} : { fix: trustFix(reason, step, profileLine, caller) }),
  });
  return checks;
}

function trustFix(
  reason: string,
  step: DoctorStep,
  where: string,
  caller: { arn: string; account: string },
): string {
  if (/sts:ExternalId/i.test(reason))
    return step.externalId
      ? `Set external_id in ${where} to the one the role's owner gave you.`
      : `Add external_id = <the id the role's owner gave you> to ${where}.`;
  if (/MultiFactorAuth/i.test(reason))
    return `Add mfa_serial = <your MFA device ARN> to ${where}: the role requires MFA.`;
  if (/does not name/.test(reason))
    return `The role does not trust ${caller.account}: ask its owner to trust your account (rolectl cross-account trust-role --trust-account ${caller.account}).`;
  return "Ask the role's owner to compare its trust policy with the request shown.";
}
