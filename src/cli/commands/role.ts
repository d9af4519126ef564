import type { Command } from "commander";
import { flagOrAsk } from "../../core/ask.js";
import type { PolicyDocumentShape } from "../../core/policies/document.js";
import { readPolicy as readPolicyFile } from "../../core/policies/read-policy.js";
import type { TrustOptions } from "../../core/roles/trust-source.js";
import { usageError } from "../../shared/errors.js";
import {
  parseMaxSessionDuration,
  parseTag,
  validateDescription,
  validatePath,
  validatePolicyArn,
  validatePolicyName,
  validateRoleName,
} from "../../shared/validate.js";
import type { CommandRunner } from "../action.js";
import { withExamples } from "../help.js";
import { describeOutcome, outcomeJson, provisionRole } from "../provision.js";
import { shortDate } from "../render.js";

const collect = (value: string, previous: string[] = []) => [...previous, value];

// IAM's limit for inline role policies (the trust policy's is in core/roles/trust-source).
const INLINE_POLICY_MAX = 10240;

interface CreateOptions extends TrustOptions {
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

export function registerRole(program: Command, run: CommandRunner): void {
  const group = program
    .command("role")
    .description("create, show and delete IAM roles for AWS services, other accounts and federation");
  withExamples(group, [
    "rolectl role create deploy-lambda --service lambda.amazonaws.com --managed-policy arn:aws:iam::aws:policy/AWSLambdaExecute",
    "rolectl role show deploy-lambda",
    "rolectl role delete deploy-lambda --yes",
  ]);

  withExamples(
    group
      .command("create")
      .argument("[name]", "role name")
      .description("create (or converge) a role; exactly one trust source")
      .option("--service <principal>", "trust an AWS service, e.g. lambda.amazonaws.com")
      .option("--trust-account <id>", "trust another AWS account (its root principal)")
      .option("--external-id <id>", "with --trust-account: require this sts:ExternalId")
      .option("--require-mfa", "with --trust-account: require aws:MultiFactorAuthPresent")
      .option("--web-identity <provider-arn>", "trust an OIDC provider (AssumeRoleWithWebIdentity)")
      .option("--audience <aud>", "with --web-identity: the token audience")
      .option("--subject <sub>", "with --web-identity: the token subject (wildcards use StringLike)")
      .option("--saml <provider-arn>", "trust a SAML provider (AssumeRoleWithSAML)")
      .option("--trust-policy <file>", "trust policy JSON from a file")
      .option("--managed-policy <arn>", "attach a managed policy (repeatable, up to 10)", collect)
      .option("--inline-policy <name=file>", "put an inline policy from a file (repeatable)", collect)
      .option("--description <text>", "role description")
      .option("--path <path>", "role path", "/")
      .option("--max-session-duration <seconds>", "3600-43200 (or 1h-12h)")
      .option("--permissions-boundary <arn>", "permissions boundary policy ARN")
      .option("--tag <key=value>", "tag the role (repeatable)", collect)
      .option(
        "--verify",
        "with --trust-account: prove the role can be assumed (retries IAM's propagation delay)",
      )
      .option("--verify-timeout <seconds>", "how long --verify keeps trying", "30")
      .option("--force", "take over a role of that name even if it trusts something else"),
    [
      "rolectl role create ci-deployer --trust-account 111122223333 --external-id Ext-1 --require-mfa",
      "rolectl role create gha --web-identity arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com --audience sts.amazonaws.com --subject 'repo:org/app:*'",
      "rolectl role create sso-admins --saml arn:aws:iam::123456789012:saml-provider/Okta --managed-policy arn:aws:iam::aws:policy/ReadOnlyAccess",
      "rolectl role create custom --trust-policy trust.json --inline-policy s3read=s3read.json --dry-run",
    ],
  ).action(
    run<CreateOptions>(async (ctx, o, args) => {
      const given = args[0] as string | undefined;
      const name = validateRoleName(
        await flagOrAsk(ctx.prompter, given, { message: "Role name:", flag: "the NAME argument" }),
        "NAME",
      );
      const path = validatePath(o.path, "--path");
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
      const { buildTrust } = await import("../../core/roles/trust-source.js");
      const trust = await buildTrust(ctx, o);
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
      let verified: string | undefined;
      if (o.verify && !dryRun) {
        const [{ verifyAccountTrust }, { parseSeconds }] = await Promise.all([
          import("../../core/roles/verify.js"),
          import("../../shared/validate.js"),
        ]);
        const timeoutMs = parseSeconds(o.verifyTimeout, "--verify-timeout", 1, 300) * 1000;
        const sts = await ctx.sts();
        verified = await ctx.withProgress(`Assuming ${outcome.arn} to verify it`, () =>
          verifyAccountTrust(sts, {
            roleArn: outcome.arn,
            ...(trust.trustedAccount ? { trustedAccount: trust.trustedAccount } : {}),
            ...(o.externalId ? { externalId: o.externalId } : {}),
            requireMfa: o.requireMfa === true,
            timeoutMs,
          }),
        );
      }
      ctx.out.result(
        { ...outcomeJson(outcome, trust.policy, dryRun), ...(verified ? { verified } : {}) },
        () =>
          [
            describeOutcome(outcome, trust.policy, dryRun),
            ...(verified ? [`verified: ${verified}`] : []),
          ].join("\n"),
      );
    }),
  );

  withExamples(
    group
      .command("show")
      .argument("<name>", "role name")
      .description("a role's trust policy (decoded), policies, tags and last use"),
    ["rolectl role show AmplifyConsoleServiceRole-AmplifyRole", "rolectl role show deploy --json"],
  ).action(
    run(async (ctx, _o, args) => {
      const name = validateRoleName(args[0] as string, "NAME");
      const { readRole } = await import("../../core/roles/role-state.js");
      const role = await readRole(await ctx.iam(), name);
      if (!role) {
        const { configError } = await import("../../shared/errors.js");
        throw configError("not_found", `Role ${name} does not exist.`, {
          hint: "Check the name; IAM role names are case-sensitive.",
        });
      }
      ctx.out.result(role, () =>
        [
          `name          ${role.name}`,
          `arn           ${role.arn}`,
          `path          ${role.path}`,
          `description   ${role.description ?? "-"}`,
          `max session   ${role.maxSessionDuration ?? 3600} s`,
          `created       ${shortDate(role.created)}`,
          `last used     ${role.lastUsed ? `${shortDate(role.lastUsed.date)}${role.lastUsed.region ? ` in ${role.lastUsed.region}` : ""}` : "never"}`,
          `boundary      ${role.permissionsBoundary ?? "-"}`,
          `tags          ${role.tags.map((t) => `${t.Key}=${t.Value}`).join(", ") || "-"}`,
          `managed       ${role.managedPolicies.join("\n              ") || "-"}`,
          `inline        ${Object.keys(role.inlinePolicies).join(", ") || "-"}`,
          "trust policy:",
          JSON.stringify(role.trustPolicy, null, 2),
        ].join("\n"),
      );
    }),
  );

  withExamples(
    group
      .command("delete")
      .argument("<name>", "role name")
      .description(
        "detach managed policies, delete inline policies and instance-profile links, then delete the role",
      ),
    ["rolectl role delete old-deployer --yes", "rolectl role delete old-deployer --dry-run"],
  ).action(
    run(async (ctx, _o, args) => {
      const name = validateRoleName(args[0] as string, "NAME");
      const { planRoleDeletion, deleteRole } = await import("../../core/roles/delete.js");
      const iam = await ctx.iam();
      const { arn, steps } = await planRoleDeletion(iam, name);
      const descriptions = steps.map((s) => s.description);
      if (ctx.opts.dryRun) {
        ctx.out.result({ name, arn, status: "would-delete", actions: descriptions }, () =>
          [`would delete  ${name}`, ...descriptions.map((d) => `  - ${d}`)].join("\n"),
        );
        return;
      }
      if (
        !ctx.opts.yes &&
        !(await ctx.prompter.confirm({
          message: `Delete role ${name} (${steps.length} steps)?`,
          flag: "--yes",
        }))
      ) {
        ctx.out.info("Nothing deleted.");
        return;
      }
      const applied = await deleteRole(steps);
      ctx.out.result({ name, arn, status: "deleted", actions: applied }, () =>
        [`deleted  ${name}`, ...applied.map((d) => `  - ${d}`)].join("\n"),
      );
    }),
  );
}
