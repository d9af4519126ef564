import type { Command } from "commander";
import { usageError } from "../../shared/errors.js";
import { validatePolicyName, validateRoleName, validateUserName } from "../../shared/validate.js";
import type { CommandRunner } from "../action.js";
import { withExamples } from "../help.js";

interface AmplifyCliPolicyOptions {
  without?: string;
  create?: string;
  attachUser?: string;
  attachRole?: string;
}

export function registerPolicy(program: Command, run: CommandRunner): void {
  const group = program.command("policy").description("IAM policies rolectl knows how to write");
  withExamples(group, [
    "rolectl policy amplify-cli",
    "rolectl policy amplify-cli --without auth,hosting --create AmplifyCLI",
  ]);

  withExamples(
    group
      .command("amplify-cli")
      .description(
        "the IAM policy the Amplify CLI needs, printed as JSON; optionally created as a managed " +
          "policy (a new default version when it changed) and attached to a user or role",
      )
      .option(
        "--without <categories>",
        "leave out categories: auth, api, storage, function, hosting (comma-separated)",
      )
      .option("--create <name>", "create or update this customer managed policy")
      .option("--attach-user <user>", "with --create: attach it to this IAM user")
      .option("--attach-role <role>", "with --create: attach it to this role"),
    [
      "rolectl policy amplify-cli > amplify-cli-policy.json",
      "rolectl policy amplify-cli --without auth",
      "rolectl policy amplify-cli --create AmplifyCLIDevCorp --attach-user devcorpuser",
    ],
  ).action(
    run<AmplifyCliPolicyOptions>(async (ctx, o) => {
      const { amplifyCliPolicy, parseCategories } = await import("../../core/policies/amplify-cli.js");
      const without = o.without === undefined ? [] : parseCategories(o.without, "--without");
      const document = amplifyCliPolicy(without);
      if (o.attachUser !== undefined && o.attachRole !== undefined)
        throw usageError("usage", "Give --attach-user or --attach-role, not both.");
      const user = o.attachUser === undefined ? undefined : validateUserName(o.attachUser, "--attach-user");
      const role = o.attachRole === undefined ? undefined : validateRoleName(o.attachRole, "--attach-role");
      if (o.create === undefined) {
        if (user || role) throw usageError("usage", "--attach-user / --attach-role go with --create NAME.");
        ctx.out.raw(`${JSON.stringify(document, null, 2)}\n`);
        return;
      }
      const name = validatePolicyName(o.create, "--create");
      const { planPolicyProvision, applyPolicyProvision, plannedPolicyProvision } = await import(
        "../../core/policies/provision.js"
      );
      const plan = await planPolicyProvision(
        { iam: await ctx.iam(), sts: await ctx.sts() },
        {
          name,
          document,
          description: `Amplify CLI permissions${without.length ? ` without ${without.join(", ")}` : ""} (rolectl)`,
          attach: { ...(user ? { user } : {}), ...(role ? { role } : {}) },
        },
      );
      const dryRun = ctx.opts.dryRun === true;
      const result = dryRun
        ? plannedPolicyProvision(plan)
        : await ctx.withProgress(`Policy ${name}`, (onStep) => applyPolicyProvision(plan, onStep));
      const attachedTo = user ? `user ${user}` : role ? `role ${role}` : undefined;
      const { attached } = result;
      ctx.out.result({ ...result, attachedTo: attachedTo ?? null, attached, document }, () =>
        [
          `${result.status.replace("-", " ")}  ${result.arn}${result.versionId ? ` (default version ${result.versionId})` : ""}`,
          ...(result.prunedVersion ? [`pruned old version ${result.prunedVersion} (IAM keeps 5)`] : []),
          ...(attachedTo
            ? [
                `${attached ? (dryRun ? "would attach to" : "attached to") : "already attached to"} ${attachedTo}`,
              ]
            : []),
        ].join("\n"),
      );
    }),
  );
}
