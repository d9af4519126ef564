import type { Command } from "commander";
import { AMPLIFY_DEFAULT_ROLE_NAME } from "../../core/amplify/names.js";
import { partitionOf, roleArnOf } from "../../shared/arn.js";
import {
  parseMaxSessionDuration,
  parseTags,
  type Tag,
  validateAmplifyAppId,
  validateRoleName,
} from "../../shared/validate.js";
import type { CommandRunner } from "../action.js";
import { withExamples } from "../help.js";
import { collect } from "../options.js";
import { describeOutcome, outcomeJson, provisionRole } from "../provision.js";
import { describeVerdict, settleVerification, verification } from "../verdict.js";

interface AmplifyOptions {
  roleName: string;
  appId?: string;
  sourceConditions: boolean;
  gen2?: boolean;
  maxSessionDuration?: string;
  tag?: string[];
  verify?: boolean;
  force?: boolean;
}

export function registerAmplify(program: Command, run: CommandRunner): void {
  withExamples(
    program
      .command("amplify-service-role")
      .description(
        "create or converge the service role Amplify Hosting deploys with (trusts amplify.amazonaws.com, " +
          "AdministratorAccess-Amplify or with --gen2 AmplifyBackendDeployFullAccess, confused-deputy conditions); optionally set it on an app",
      )
      .option("--role-name <name>", "role name", AMPLIFY_DEFAULT_ROLE_NAME)
      .option("--app-id <id>", "also set the role on this Amplify app (UpdateApp)")
      .option("--no-source-conditions", "leave out the aws:SourceAccount / aws:SourceArn conditions")
      .option(
        "--gen2",
        "Gen 2 backends: attach AmplifyBackendDeployFullAccess instead of AdministratorAccess-Amplify (detached if attached)",
      )
      .option("--max-session-duration <seconds>", "3600-43200 (or 1h-12h)")
      .option("--tag <key=value>", "tag the role (repeatable)", collect)
      .option("--verify", "read the role (and app) back and check they are as planned")
      .option("--force", "take over a role of that name even if it trusts something else"),
    [
      "rolectl amplify-service-role",
      "rolectl amplify-service-role --app-id d1a2b3c4d5e6f7 --region eu-west-1 --json",
      "rolectl amplify-service-role --role-name AmplifyDeploy --tag team=web --dry-run",
      "rolectl amplify-service-role --gen2",
    ],
  ).action(
    run<AmplifyOptions>(async (ctx, opts) => {
      const name = validateRoleName(opts.roleName, "--role-name");
      const appId = opts.appId === undefined ? undefined : validateAmplifyAppId(opts.appId, "--app-id");
      const maxSessionDuration =
        opts.maxSessionDuration === undefined
          ? undefined
          : parseMaxSessionDuration(opts.maxSessionDuration, "--max-session-duration");
      const tags: Tag[] = parseTags(opts.tag ?? [], "--tag");
      const [{ getCallerIdentity }, amplifyCore, { applySteps, actionOf }] = await Promise.all([
        import("../../core/whoami.js"),
        import("../../core/amplify/service-role.js"),
        import("../../core/steps.js"),
      ]);
      const caller = await getCallerIdentity(await ctx.sts());
      // Check the app before touching IAM, so an unknown app id leaves nothing half-done.
      const app = appId ? await amplifyCore.getAmplifyApp(await ctx.amplify(), appId) : undefined;
      const desired = amplifyCore.desiredAmplifyServiceRole({
        name,
        accountId: caller.account,
        partition: partitionOf(caller.arn),
        sourceConditions: opts.sourceConditions,
        gen2: opts.gen2 === true,
        ...(maxSessionDuration ? { maxSessionDuration } : {}),
        tags,
      });
      const outcome = await provisionRole(ctx, desired, { force: opts.force === true });
      const dryRun = ctx.opts.dryRun === true;
      const roleArn = outcome.arn || roleArnOf(partitionOf(caller.arn), caller.account, name, desired.path);
      const appStep = app ? amplifyCore.appServiceRoleStep(ctx.amplify, app, roleArn) : undefined;
      if (appStep && !dryRun) {
        await ctx.withProgress(`App ${app?.appId}`, (onStep) => applySteps([appStep], onStep));
      }
      const appResult = app && {
        appId: app.appId,
        name: app.name,
        status: !appStep ? "unchanged" : dryRun ? "would-update" : "updated",
      };
      const verified =
        opts.verify && !dryRun
          ? await verification(async () => {
              const { verifyAmplifyServiceRole } = await import("../../core/amplify/verify.js");
              return verifyAmplifyServiceRole(
                { iam: await ctx.iam(), amplify: ctx.amplify },
                {
                  name,
                  policyArn: desired.managedPolicies[0] ?? "",
                  ...(app ? { appId: app.appId } : {}),
                  arn: outcome.arn,
                },
              );
            })
          : undefined;
      ctx.out.result(
        {
          ...outcomeJson(outcome, desired.trustPolicy),
          actions: [...outcome.actions, ...(appStep ? [actionOf(appStep)] : [])],
          app: appResult ?? null,
          verified: verified ? verified.verdict : null,
        },
        () =>
          [
            describeOutcome(outcome, desired.trustPolicy, dryRun),
            ...(appResult
              ? [
                  `app  ${appResult.name} (${appResult.appId}): ${appResult.status === "unchanged" ? "already uses the role" : appResult.status === "updated" ? "now uses the role" : "would use the role"}`,
                ]
              : []),
            ...(verified ? describeVerdict(verified.verdict) : []),
          ].join("\n"),
      );
      settleVerification(verified);
    }),
  );
}
