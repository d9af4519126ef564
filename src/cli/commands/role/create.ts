import { flagOrAsk } from "../../../core/ask.js";
import type { PolicyDocumentShape } from "../../../core/policies/document.js";
import { readPolicy as readPolicyFile } from "../../../core/policies/read-policy.js";
import { buildTrust, type TrustOptions } from "../../../core/roles/trust-source.js";
import { usageError } from "../../../shared/errors.js";
import {
  parseMaxSessionDuration,
  parseSeconds,
  parseTag,
  validateDescription,
  validatePath,
  validatePolicyArn,
  validatePolicyName,
  validateRoleName,
} from "../../../shared/validate.js";
import type { CliContext } from "../../context.js";
import { describeOutcome, outcomeJson, provisionRole } from "../../provision.js";
import { describeVerdict, settleVerification, verification } from "../../verdict.js";

// IAM's limit for inline role policies (the trust policy's is in core/roles/trust-source).
const INLINE_POLICY_MAX = 10240;

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
}

export async function createCommand(
  ctx: CliContext,
  o: CreateOptions,
  given: string | undefined,
): Promise<void> {
  const name = await flagOrAsk(
    ctx.prompter,
    given,
    { message: "Role name:", flag: "the NAME argument" },
    (v) => validateRoleName(v, "NAME"),
  );
  const path = validatePath(o.path, "--path");
  const timeoutMs = parseSeconds(o.verifyTimeout, "--verify-timeout", 1, 300) * 1000;
  const managedPolicies = (o.managedPolicy ?? []).map((a) => validatePolicyArn(a, "--managed-policy"));
  const description =
    o.description === undefined ? undefined : validateDescription(o.description, "--description");
  const maxSessionDuration =
    o.maxSessionDuration === undefined
      ? undefined
      : parseMaxSessionDuration(o.maxSessionDuration, "--max-session-duration");
  const boundary =
    o.permissionsBoundary === undefined
      ? undefined
      : validatePolicyArn(o.permissionsBoundary, "--permissions-boundary");
  const tags = (o.tag ?? []).map((t) => parseTag(t, "--tag"));
  const inlinePolicies: Record<string, PolicyDocumentShape> = {};
  for (const spec of o.inlinePolicy ?? []) {
    const eq = spec.indexOf("=");
    if (eq <= 0)
      throw usageError(
        "invalid_value",
        `Invalid inline policy ${JSON.stringify(spec)} (--inline-policy): must be NAME=FILE.`,
      );
    inlinePolicies[validatePolicyName(spec.slice(0, eq), "--inline-policy")] = await readPolicyFile(
      spec.slice(eq + 1),
      "--inline-policy",
      INLINE_POLICY_MAX,
    );
  }
  const trust = await buildTrust(ctx, o);
  for (const warning of trust.warnings ?? []) ctx.out.warn(warning);
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
              ...(o.externalId ? { externalId: o.externalId } : {}),
              requireMfa: o.requireMfa === true,
              timeoutMs,
            }),
          );
        })
      : undefined;
  ctx.out.result(
    { ...outcomeJson(outcome, trust.policy, dryRun), ...(verified ? { verified: verified.verdict } : {}) },
    () =>
      [
        describeOutcome(outcome, trust.policy, dryRun),
        ...(verified ? describeVerdict(verified.verdict) : []),
      ].join("\n"),
  );
  settleVerification(verified);
}
