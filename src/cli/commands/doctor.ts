import type { IAMClient } from "@aws-sdk/client-iam";
import type { Command } from "commander";
import type { DoctorCheck, DoctorDeps } from "../../core/doctor/checks.js";
import { decodePolicyDocument, type PolicyDocumentShape } from "../../core/policies/document.js";
import { awsErrorName, configError, ExitCode, isRolectlError, usageError } from "../../shared/errors.js";
import { parseRoleArn } from "../../shared/validate.js";
import type { CommandRunner } from "../action.js";
import type { CliContext } from "../context.js";
import { withExamples } from "../help.js";

interface DoctorOptions {
  trustingProfile?: string;
  roleArn?: string;
  externalId?: string;
  mfaSerial?: string;
  mfaCode?: string;
  try?: boolean;
}

export function registerDoctor(program: Command, run: CommandRunner): void {
  withExamples(
    program
      .command("doctor")
      .description(
        "explain why assuming a profile's role would fail: source credentials, clock, permission, MFA device, trust policy (reads only)",
      )
      .option("--trusting-profile <name>", "a profile of the role's account, to read its trust policy")
      .option("--role-arn <arn>", "check this role instead of the profile's (the profile is then the source)")
      .option("--external-id <id>", "with --role-arn: the external id")
      .option("--mfa-serial <serial>", "with --role-arn: the MFA device")
      .option("--try", "after the checks, call AssumeRole and say which check its refusal comes from")
      .option("--mfa-code <code>", "with --try: the MFA code (or ROLECTL_MFA_CODE, mfa_process, a prompt)"),
    [
      "rolectl doctor --profile bizcorprole",
      "rolectl doctor --profile bizcorprole --trusting-profile bizadmin --json",
      "rolectl doctor --profile devcorpuser --role-arn arn:aws:iam::111111111111:role/BizCorpRole --external-id Ext-1 --try",
    ],
  ).action(
    run<DoctorOptions>(async (ctx, opts) => {
      if (!ctx.opts.profile)
        throw usageError(
          "missing_input",
          "Missing required value --profile: the profile whose role to check.",
        );
      const checks = await doctorChecks(ctx, ctx.opts.profile, opts);
      const ok = checks.every((c) => c.ok);
      ctx.out.result({ ok, checks }, () =>
        [
          ...checks.map(
            (c) =>
              `${c.skipped ? "-" : c.ok ? "✓" : "✗"} ${c.check}: ${c.detail}${!c.ok || c.skipped ? (c.fix ? `\n    fix: ${c.fix}` : "") : ""}`,
          ),
          "",
          !ok
            ? `${checks.filter((c) => !c.ok).length} check(s) failed.`
            : checks.some((c) => c.skipped)
              ? `Every check that could run passed; ${checks.filter((c) => c.skipped).length} could not run (see above).`
              : "Every check passed.",
        ].join("\n"),
      );
      if (!ok) ctx.setExitCode(ExitCode.auth);
    }),
  );
}

async function doctorChecks(ctx: CliContext, profile: string, opts: DoctorOptions): Promise<DoctorCheck[]> {
  const trustingProfile = opts.trustingProfile;
  const [{ planCredentialRequest }, { baseCredentials }, { buildChainDeps }, { runDoctor }, clients] =
    await Promise.all([
      import("../../core/assume/request.js"),
      import("../../core/assume/chain.js"),
      import("../credentials.js"),
      import("../../core/doctor/checks.js"),
      import("../../aws/clients.js"),
    ]);
  if (opts.mfaCode !== undefined && !opts.try) throw usageError("usage", "--mfa-code goes with --try.");
  const { plan } = planCredentialRequest(await ctx.sharedConfig(), ctx.env, {
    profile,
    ...(opts.roleArn !== undefined ? { roleArn: opts.roleArn } : {}),
    ...(opts.externalId !== undefined ? { externalId: opts.externalId } : {}),
    ...(opts.mfaSerial !== undefined ? { mfaSerial: opts.mfaSerial } : {}),
  });
  const step = plan.steps[0];
  if (!step) throw configError("no_role", `Profile ${profile} has no role_arn: there is no role to check.`);
  if (plan.base.kind === "sso" || plan.base.kind === "web-identity")
    throw usageError(
      "usage",
      `Profile ${profile} starts from ${plan.base.kind === "sso" ? "IAM Identity Center" : "a web identity token"}; doctor checks roles assumed with keys for now.`,
    );
  const settings = await ctx.awsSettings();
  const source = await baseCredentials(plan, await buildChainDeps(ctx, {}, { settings }));
  for (const s of [source.secretAccessKey, source.sessionToken]) ctx.out.addSecret(s);
  const iam = await clients.createIamClient({ settings, credentials: source });
  const sts = await ctx.stsAs(source);
  // AWS's time, from the Date header of the identity call (no request of its own).
  let awsDate: string | undefined;
  sts.middlewareStack.add(
    (next) => async (args) => {
      const out = await next(args);
      awsDate = (out.response as { headers?: Record<string, string> }).headers?.date ?? awsDate;
      return out;
    },
    { step: "deserialize", name: "rolectlDoctorDate" },
  );
  const roleAccount = parseRoleArn(step.roleArn, "role_arn").accountId;
  const deps: DoctorDeps = {
    callerIdentity: async () => {
      const { GetCallerIdentityCommand } = await import("@aws-sdk/client-sts");
      const out = await sts.send(new GetCallerIdentityCommand({}));
      return { arn: out.Arn ?? "?", account: out.Account ?? "?" };
    },
    // The Date header has whole seconds: up to a second of skew is rounding.
    clockSkewMs: async () => (awsDate ? Date.now() - Date.parse(awsDate) : undefined),
    userPolicies: (user) => denied(() => userPolicies(iam, user)),
    mfaDevices: (user) =>
      denied(async () => {
        const { ListMFADevicesCommand } = await import("@aws-sdk/client-iam");
        const out = await iam.send(new ListMFADevicesCommand({ UserName: user }));
        return (out.MFADevices ?? []).map((d) => d.SerialNumber ?? "");
      }),
    role: async (roleArn, callerAccount) => {
      const reader =
        callerAccount === roleAccount
          ? iam
          : trustingProfile
            ? await ctx.clientsFor(trustingProfile).iam()
            : undefined;
      if (!reader) return "unreadable";
      const { GetRoleCommand } = await import("@aws-sdk/client-iam");
      try {
        const out = await reader.send(
          new GetRoleCommand({ RoleName: roleArn.slice(roleArn.lastIndexOf("/") + 1) }),
        );
        return { trust: decodePolicyDocument(out.Role?.AssumeRolePolicyDocument) ?? {} };
      } catch (err) {
        const name = awsErrorName(err);
        if (name === "NoSuchEntity") return "missing";
        if (name === "AccessDenied") return "unreadable";
        throw err;
      }
    },
  };
  const checks = await runDoctor(
    {
      profile,
      roleArn: step.roleArn,
      ...(step.externalId ? { externalId: step.externalId } : {}),
      ...(step.mfaSerial ? { mfaSerial: step.mfaSerial } : {}),
      source:
        plan.base.kind === "environment" ? "the environment's keys" : `source profile ${plan.base.profile}`,
    },
    deps,
  );
  if (!opts.try) return checks;
  // --try: the real call, through the same chain as `assume` (cache bypassed, MFA sources as usual).
  const { resolveChainCredentials } = await import("../../core/assume/chain.js");
  const chainDeps = await buildChainDeps(
    ctx,
    { cache: false, ...(opts.mfaCode !== undefined ? { mfaCode: opts.mfaCode } : {}) },
    { settings },
  );
  try {
    const out = await resolveChainCredentials({ ...plan, steps: [step] }, chainDeps);
    ctx.out.addSecret(out.credentials.SecretAccessKey);
    ctx.out.addSecret(out.credentials.SessionToken);
    checks.push({
      check: "assume (--try)",
      ok: true,
      detail: `assumed ${out.assumedRoleArn ?? step.roleArn}`,
    });
  } catch (err) {
    const first = checks.find((c) => !c.ok);
    // AccessDenied, however it was explained (mfa_rejected when the trust needs MFA).
    const refused = isRolectlError(err) && (err.code === "access_denied" || err.code === "mfa_rejected");
    checks.push({
      check: "assume (--try)",
      ok: false,
      detail: `${(err as Error).message}${refused && first ? ` (the refusal matches the failed check "${first.check}")` : ""}`,
      fix: refused
        ? (first?.fix ??
          (checks.some((c) => c.skipped)
            ? "Some checks could not run (see above, e.g. --trusting-profile); run them to find the cause."
            : "Every check passed, so something outside the role decides: a service control policy, a permissions boundary, or a Deny elsewhere."))
        : "See the error above.",
    });
  }
  return checks;
}

/** "denied" when IAM refuses to show it (the caller may not read its own policies). */
async function denied<T>(read: () => Promise<T>): Promise<T | "denied"> {
  try {
    return await read();
  } catch (err) {
    if (awsErrorName(err) === "AccessDenied") return "denied";
    throw err;
  }
}

/** A user's identity policies: attached, inline, and those of its groups. */
async function userPolicies(iam: IAMClient, user: string): Promise<PolicyDocumentShape[]> {
  const sdk = await import("@aws-sdk/client-iam");
  const docs: PolicyDocumentShape[] = [];
  const managed = async (arn: string) => {
    const policy = await iam.send(new sdk.GetPolicyCommand({ PolicyArn: arn }));
    const version = await iam.send(
      new sdk.GetPolicyVersionCommand({ PolicyArn: arn, VersionId: policy.Policy?.DefaultVersionId ?? "v1" }),
    );
    const doc = decodePolicyDocument(version.PolicyVersion?.Document);
    if (doc) docs.push(doc);
  };
  for (const p of (await iam.send(new sdk.ListAttachedUserPoliciesCommand({ UserName: user })))
    .AttachedPolicies ?? [])
    if (p.PolicyArn) await managed(p.PolicyArn);
  for (const name of (await iam.send(new sdk.ListUserPoliciesCommand({ UserName: user }))).PolicyNames ??
    []) {
    const doc = decodePolicyDocument(
      (await iam.send(new sdk.GetUserPolicyCommand({ UserName: user, PolicyName: name }))).PolicyDocument,
    );
    if (doc) docs.push(doc);
  }
  for (const g of (await iam.send(new sdk.ListGroupsForUserCommand({ UserName: user }))).Groups ?? []) {
    if (!g.GroupName) continue;
    for (const p of (await iam.send(new sdk.ListAttachedGroupPoliciesCommand({ GroupName: g.GroupName })))
      .AttachedPolicies ?? [])
      if (p.PolicyArn) await managed(p.PolicyArn);
    for (const name of (await iam.send(new sdk.ListGroupPoliciesCommand({ GroupName: g.GroupName })))
      .PolicyNames ?? []) {
      const doc = decodePolicyDocument(
        (await iam.send(new sdk.GetGroupPolicyCommand({ GroupName: g.GroupName, PolicyName: name })))
          .PolicyDocument,
      );
      if (doc) docs.push(doc);
    }
  }
  return docs;
}
