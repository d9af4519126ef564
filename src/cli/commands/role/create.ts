import { flagOrAsk, optionalAnswer } from "../../../core/ask.js";
import { guardTrust } from "../../../core/audit/guard.js";
import { readInlinePolicies } from "../../../core/policies/read-policy.js";
import { buildTrust, type TrustOptions } from "../../../core/roles/trust-source.js";
import {
  parseMaxSessionDuration,
  parseSeconds,
  parseTags,
  validateDescription,
  validatePath,
  validatePolicyArn,
  validatePolicyName,
  validateRoleName,
} from "../../../shared/validate.js";
import type { CliContext } from "../../context.js";
import { describeOutcome, outcomeJson, provisionRole } from "../../provision.js";
import { describeVerdict, settleVerification, verification } from "../../verdict.js";

export interface CreateOptions extends TrustOptions {
  managedPolicy?: string[];
  inlinePolicy?: string[];
  description?: string;
  path: string;
  maxSessionDuration?: string;
  permissionsBoundary?: string;
  tag?: string[];
  verify?: boolean;
  force?: boolean;
  verifyTimeout: string;
  /** Rule ids of `rolectl audit` whose critical finding is accepted. */
  allowRisk?: string[];
}

export async function createCommand(
  ctx: CliContext,
  o: CreateOptions,
  given: string | undefined,
): Promise<void> {
  const timeoutMs = parseSeconds(o.verifyTimeout, "--verify-timeout", 1, 300) * 1000;
  const name = await flagOrAsk(
    ctx.prompter,
    given,
    { message: "Role name:", flag: "the NAME argument" },
    (v) => validateRoleName(v, "NAME"),
  );
  const path = validatePath(o.path, "--path");
  let managedPolicies = (o.managedPolicy ?? []).map((a) => validatePolicyArn(a, "--managed-policy"));
  let description =
    o.description === undefined ? undefined : validateDescription(o.description, "--description");
  const maxSessionDuration =
    o.maxSessionDuration === undefined
      ? undefined
      : parseMaxSessionDuration(o.maxSessionDuration, "--max-session-duration");
  const boundary =
    o.permissionsBoundary === undefined
      ? undefined
      : validatePolicyArn(o.permissionsBoundary, "--permissions-boundary");
  const tags = parseTags(o.tag ?? [], "--tag");
  const inlinePolicies = await readInlinePolicies(o.inlinePolicy ?? [], "--inline-policy");
  const trust = await buildTrust({ ...ctx, providers: (kind) => accountProviders(ctx, kind) }, o);
  for (const warning of trust.warnings ?? []) ctx.out.warn(warning);
  // --allow-any-subject / --allow-any-principal already said yes to what those rules flag.
  const allowed = [
    ...(o.allowRisk ?? []),
    ...(o.allowAnySubject ? ["RC-TRUST-003", "RC-TRUST-004"] : []),
    ...(o.allowAnyPrincipal ? ["RC-TRUST-006"] : []),
  ];
  for (const warning of guardTrust(trust.policy, allowed)) ctx.out.warn(warning);
  if (trust.asked) {
    // The wizard also asks what the role may do and what it is for, unless the flags said so.
    if (!managedPolicies.length && !o.inlinePolicy?.length) managedPolicies = await askManagedPolicies(ctx);
    description ??= await optionalAnswer(
      ctx.prompter,
      { message: "Description (empty for none):", flag: "--description" },
      (v) => validateDescription(v, "--description"),
    );
  }
  const desired = {
    name,
    path,
    trustPolicy: trust.policy,
    ...(description ? { description } : {}),
    ...(maxSessionDuration ? { maxSessionDuration } : {}),
    ...(boundary ? { permissionsBoundary: boundary } : {}),
    managedPolicies,
    inlinePolicies,
    tags,
  };
  const confirm =
    trust.asked && !ctx.opts.yes
      ? async (actions: string[]) => {
          ctx.out.info(
            `Plan for role ${name}:\n${actions.map((a) => `  ${a}`).join("\n")}\nTrust policy:\n${JSON.stringify(trust.policy, null, 2)}`,
          );
          return ctx.prompter.confirm({ message: "Apply this plan?", flag: "--yes", default: true });
        }
      : undefined;
  const outcome = await provisionRole(ctx, desired, {
    force: o.force === true,
    ...(confirm ? { confirm } : {}),
  });
  const dryRun = ctx.opts.dryRun === true;
  const verified =
    o.verify && !dryRun
      ? await verification(async () => {
          const { verifyAccountTrust } = await import("../../../core/roles/verify.js");
          const sts = await ctx.sts();
          return ctx.withProgress(`Assuming ${outcome.arn} to verify it`, () =>
            verifyAccountTrust(sts, {
              roleArn: outcome.arn,
              ...(trust.trustedAccount ? { trustedAccount: trust.trustedAccount } : {}),
              ...(trust.externalId ? { externalId: trust.externalId } : {}),
              requireMfa: trust.requireMfa === true,
              timeoutMs,
            }),
          );
        })
      : undefined;
  ctx.out.result(
    { ...outcomeJson(outcome, trust.policy), verified: verified ? verified.verdict : null },
    () =>
      [
        describeOutcome(outcome, trust.policy, dryRun),
        ...(verified ? describeVerdict(verified.verdict) : []),
      ].join("\n"),
  );
  settleVerification(verified);
}

/**
 * The wizard's permissions question: policy ARNs, or AWS managed policy names (ReadOnlyAccess,
 * AWSLambdaBasicExecutionRole) looked up under AWS's paths. A name that is none of them is
 * asked again, before the plan, not refused after it.
 */
async function askManagedPolicies(ctx: CliContext): Promise<string[]> {
  const names = (typed: string) =>
    typed
      .split(/[\s,]+/)
      .filter(Boolean)
      .map((v) =>
        v.startsWith("arn:")
          ? validatePolicyArn(v, "--managed-policy")
          : validatePolicyName(v, "--managed-policy"),
      );
  for (;;) {
    const answer = await optionalAnswer(
      ctx.prompter,
      {
        message:
          "Managed policies to attach (names such as ReadOnlyAccess, or ARNs; comma-separated, empty for none):",
        flag: "--managed-policy",
      },
      (v) => {
        names(v);
        return v;
      },
    );
    if (!answer) return [];
    const { findAwsManagedPolicy } = await import("../../../core/policies/managed.js");
    const iam = await ctx.iam();
    const arns: string[] = [];
    const unknown: string[] = [];
    for (const v of names(answer)) {
      const arn = v.startsWith("arn:") ? v : await findAwsManagedPolicy(iam, v);
      if (arn) arns.push(arn);
      else unknown.push(v);
    }
    if (!unknown.length) return arns;
    ctx.out.warn(`No AWS managed policy named ${unknown.join(", ")}; type its exact name or ARN.`);
  }
}

/** The account's identity providers of one kind, offered by the wizard as a list. */
async function accountProviders(ctx: CliContext, kind: "oidc-provider" | "saml-provider"): Promise<string[]> {
  const { listIdentityProviders } = await import("../../../core/roles/identity-providers.js");
  return ctx.withProgress(
    `Listing the account's ${kind === "oidc-provider" ? "OIDC" : "SAML"} providers`,
    async () => listIdentityProviders(await ctx.iam(), kind),
  );
}
