import type { Command } from "commander";
import { partitionOf, roleArnOf } from "../../shared/arn.js";
import { usageError } from "../../shared/errors.js";
import {
  parseTags,
  validateAmplifyAppId,
  validatePolicyArn,
  validateRoleName,
} from "../../shared/validate.js";
import type { CommandRunner } from "../action.js";
import type { CliContext } from "../context.js";
import { withExamples } from "../help.js";
import { addAliasedOption, collect } from "../options.js";
import { describeOutcome, outcomeJson, provisionRole } from "../provision.js";

interface ComputeOptions {
  appId: string;
  branch?: string;
  roleName?: string;
  managedPolicy?: string[];
  inlinePolicy?: string[];
  tag?: string[];
  force?: boolean;
}

export function registerAmplifyCompute(program: Command, run: CommandRunner): void {
  withExamples(
    addAliasedOption(program.command("amplify-compute-role"), {
      flags: "--managed-policy <arn>",
      alias: "--policy-arn",
      description: "what the SSR code may do: a managed policy (repeatable)",
      attribute: "managedPolicy",
      parse: collect,
    })
      .description(
        "create or converge the SSR compute role an Amplify app's server-side code runs as, and set it " +
          "on the app or on one branch (trusts amplify.amazonaws.com for that app or branch only)",
      )
      .requiredOption("--app-id <id>", "the Amplify app")
      .option("--branch <name>", "set the role on this branch only (AWS's advice for public repositories)")
      .option("--role-name <name>", "role name (default: AmplifySSRCompute-<app id>[-<branch>])")
      .option(
        "--inline-policy <name=file>",
        "what the SSR code may do: an inline policy (repeatable)",
        collect,
      )
      .option("--tag <key=value>", "tag the role (repeatable)", collect)
      .option("--force", "take over a role of that name even if it trusts something else"),
    [
      "rolectl amplify-compute-role --app-id d1a2b3c4d5e6f7 --managed-policy arn:aws:iam::aws:policy/AmazonDynamoDBReadOnlyAccess",
      "rolectl amplify-compute-role --app-id d1a2b3c4d5e6f7 --branch main --inline-policy read-orders=orders.json --dry-run",
    ],
  ).action(run<ComputeOptions>(async (ctx, o) => computeRoleCommand(ctx, o)));
}

async function computeRoleCommand(ctx: CliContext, o: ComputeOptions): Promise<void> {
  const appId = validateAmplifyAppId(o.appId, "--app-id");
  if (o.branch !== undefined && !/^\S(.{0,253}\S)?$/s.test(o.branch))
    throw usageError(
      "invalid_value",
      `Invalid branch name ${JSON.stringify(o.branch)} (--branch): 1-255 characters, not starting or ending with a space.`,
    );
  const managedPolicies = (o.managedPolicy ?? []).map((a) => validatePolicyArn(a, "--managed-policy"));
  const tags = parseTags(o.tag ?? [], "--tag");
  const [{ readInlinePolicies }, { getCallerIdentity }, compute, { applySteps, actionOf }] =
    await Promise.all([
      import("../../core/policies/read-policy.js"),
      import("../../core/whoami.js"),
      import("../../core/amplify/compute-role.js"),
      import("../../core/steps.js"),
    ]);
  const inlinePolicies = await readInlinePolicies(o.inlinePolicy ?? [], "--inline-policy");
  if (!managedPolicies.length && !Object.keys(inlinePolicies).length)
    throw usageError("missing_input", "An SSR compute role needs permissions: none were given.", {
      hint: "Add --managed-policy ARN or --inline-policy NAME=FILE (what the app's server-side code may do).",
    });
  const name = validateRoleName(o.roleName ?? compute.defaultComputeRoleName(appId, o.branch), "--role-name");
  const caller = await getCallerIdentity(await ctx.sts());
  // Read the app (and branch) before touching IAM: an unknown one leaves nothing half-done.
  const target = await compute.readComputeTarget(await ctx.amplify(), appId, o.branch);
  const desired = compute.desiredComputeRole({
    name,
    target,
    accountId: caller.account,
    managedPolicies,
    inlinePolicies,
    tags,
  });
  const outcome = await provisionRole(ctx, desired, { force: o.force === true });
  const dryRun = ctx.opts.dryRun === true;
  const roleArn = outcome.arn || roleArnOf(partitionOf(caller.arn), caller.account, name, desired.path);
  const step = compute.computeRoleStep(ctx.amplify, target, roleArn);
  if (step && !dryRun) await ctx.withProgress(`App ${appId}`, (onStep) => applySteps([step], onStep));
  const set = {
    appId,
    branch: target.branch ?? null,
    status: !step ? "unchanged" : dryRun ? "would-update" : "updated",
  };
  ctx.out.result(
    {
      ...outcomeJson(outcome, desired.trustPolicy),
      actions: [...outcome.actions, ...(step ? [actionOf(step)] : [])],
      computeRoleOf: set,
    },
    () =>
      [
        describeOutcome(outcome, desired.trustPolicy, dryRun),
        ...(step ? [`  ${dryRun ? "+" : "~"} ${step.description}`] : []),
        `${target.branch ? `branch ${target.branch} of ` : ""}app ${target.appName} (${appId}): ${set.status === "unchanged" ? "already runs as the role" : set.status === "updated" ? "now runs as the role" : "would run as the role"}`,
      ].join("\n"),
  );
}
