import type { Command } from "commander";
import { flagOrAsk } from "../../core/ask.js";
import {
  normaliseServicePrincipal,
  parseSeconds,
  validateDeletionTaskId,
  validateDescription,
  validateRoleName,
  validateRoleSuffix,
} from "../../shared/validate.js";
import type { CommandRunner } from "../action.js";
import type { CliContext } from "../context.js";
import { withExamples } from "../help.js";
import { formatTable, shortDate } from "../render.js";

const core = () => import("../../core/service-linked/roles.js");

async function askService(ctx: CliContext, given: string | undefined): Promise<string> {
  return flagOrAsk(
    ctx.prompter,
    given,
    { message: "Service principal, e.g. connect.amazonaws.com:", flag: "--service" },
    (v) => normaliseServicePrincipal(v.trim(), "--service"),
  );
}

async function askRoleName(ctx: CliContext, given: string | undefined): Promise<string> {
  return flagOrAsk(
    ctx.prompter,
    given,
    { message: "Service-linked role name:", flag: "the NAME argument" },
    (v) => validateRoleName(v.trim(), "NAME"),
  );
}

export function registerServiceLinkedRole(program: Command, run: CommandRunner): void {
  const group = program
    .command("service-linked-role")
    .alias("slr")
    .description("create, list, describe, re-describe and delete service-linked roles (any AWS service)");
  withExamples(group, [
    "rolectl slr create --service connect --suffix my-instance",
    "rolectl slr list --json",
    "rolectl slr delete AWSServiceRoleForAmazonConnect_my-instance --yes",
  ]);

  withExamples(
    group
      .command("create")
      .description("create a service's service-linked role; an existing one is reported, not an error")
      .option("--service <principal>", "the service, e.g. connect.amazonaws.com (or just connect)")
      .option("--suffix <suffix>", "custom suffix for the role name (only some services accept one)")
      .option("--description <text>", "role description (up to 1000 characters)"),
    [
      "rolectl slr create --service connect.amazonaws.com --suffix shop",
      "rolectl slr create --service autoscaling --description 'Scaling for web'",
      "rolectl slr create --service lexv2 --suffix bot1 --dry-run --json",
    ],
  ).action(
    run<{ service?: string; suffix?: string; description?: string }>(async (ctx, opts) => {
      const service = await askService(ctx, opts.service);
      const suffix = opts.suffix === undefined ? undefined : validateRoleSuffix(opts.suffix, "--suffix");
      const description =
        opts.description === undefined ? undefined : validateDescription(opts.description, "--description");
      const { planServiceLinkedRole, applyServiceLinkedRole } = await core();
      const iam = await ctx.iam();
      const plan = await planServiceLinkedRole(iam, {
        service,
        ...(suffix ? { suffix } : {}),
        ...(description ? { description } : {}),
      });
      if (ctx.opts.dryRun && !plan.existing) {
        // The same keys as a created role's, null until it exists.
        const none = { name: null, arn: null, path: null, created: null, lastUsed: null };
        ctx.out.result(
          {
            ...none,
            service,
            description: description ?? null,
            status: "would-create",
            actions: plan.actions,
          },
          () => plan.actions.map((a) => `would ${a.description} (${a.operation})`).join("\n"),
        );
        return;
      }
      const result = await applyServiceLinkedRole(iam, plan);
      ctx.out.result(
        { ...result.role, status: result.status, service, actions: result.actions },
        () =>
          `${result.status === "created" ? "created" : "exists "}  ${result.role.name}\narn      ${result.role.arn}`,
      );
    }),
  );

  withExamples(
    group
      .command("list")
      .description("list service-linked roles with their service, creation and last use")
      .option("--service <principal>", "only this service's roles"),
    ["rolectl slr list", "rolectl slr list --service connect --json"],
  ).action(
    run<{ service?: string }>(async (ctx, opts) => {
      const service =
        opts.service === undefined ? undefined : normaliseServicePrincipal(opts.service, "--service");
      const { listServiceLinkedRoles } = await core();
      const roles = await listServiceLinkedRoles(await ctx.iam(), service);
      ctx.out.result(roles, () =>
        roles.length === 0
          ? `No service-linked roles${service ? ` for ${service}` : ""}.`
          : formatTable(
              ["SERVICE", "NAME", "CREATED", "LAST USED"],
              roles.map((r) => [
                r.service,
                r.name,
                shortDate(r.created),
                r.lastUsed
                  ? `${shortDate(r.lastUsed.date)}${r.lastUsed.region ? ` ${r.lastUsed.region}` : ""}`
                  : "never",
              ]),
            ),
      );
    }),
  );

  withExamples(
    group
      .command("describe")
      .argument("[name]", "role name")
      .description("show a service-linked role: trusted service, policies, description, last use")
      .option("--service <principal>", "describe this service's role instead of naming it"),
    [
      "rolectl slr describe AWSServiceRoleForAmazonConnect_shop",
      "rolectl slr describe --service connect --json",
    ],
  ).action(
    run<{ service?: string }>(async (ctx, opts, args) => {
      const given = args[0] as string | undefined;
      const service =
        opts.service === undefined ? undefined : normaliseServicePrincipal(opts.service, "--service");
      const name = given !== undefined || service === undefined ? await askRoleName(ctx, given) : undefined;
      const { describeServiceLinkedRole } = await core();
      const d = await describeServiceLinkedRole(await ctx.iam(), {
        ...(name ? { name } : {}),
        ...(service ? { service } : {}),
      });
      ctx.out.result(d, () =>
        [
          `name          ${d.name}`,
          `arn           ${d.arn}`,
          `service       ${d.service}`,
          `trusted by    ${d.trustedBy.join(", ") || "-"}`,
          `description   ${d.description ?? "-"}`,
          `created       ${d.created ?? "-"}`,
          `last used     ${d.lastUsed ? `${d.lastUsed.date ?? "?"}${d.lastUsed.region ? ` in ${d.lastUsed.region}` : ""}` : "never"}`,
          `policies      ${d.attachedPolicies.map((p) => p.arn).join("\n              ") || "-"}`,
        ].join("\n"),
      );
    }),
  );

  withExamples(
    group
      .command("update-description")
      .argument("[name]", "role name")
      .description(
        "change a service-linked role's description: the only edit AWS allows on one " +
          "(its trust, policies and name belong to the service; IAM answers UnmodifiableEntity)",
      )
      .option("--description <text>", "the new description (1-1000 characters)"),
    [
      "rolectl slr update-description AWSServiceRoleForAmazonConnect_shop --description 'Contact center shop'",
    ],
  ).action(
    run<{ description?: string }>(async (ctx, opts, args) => {
      const name = await askRoleName(ctx, args[0] as string | undefined);
      const description = await flagOrAsk(
        ctx.prompter,
        opts.description,
        { message: "New description:", flag: "--description" },
        (v) => validateDescription(v, "--description"),
      );
      const { planDescriptionUpdate, applyDescriptionUpdate } = await core();
      const iam = await ctx.iam();
      const plan = await planDescriptionUpdate(iam, name, description);
      const r = ctx.opts.dryRun ? plan : await applyDescriptionUpdate(iam, plan);
      ctx.out.result(r, () =>
        !r.changed
          ? `unchanged  ${name} (description already set)`
          : `${ctx.opts.dryRun ? "would update" : "updated"}  ${name}: ${JSON.stringify(description)}`,
      );
    }),
  );

  withExamples(
    group
      .command("delete")
      .argument("[name]", "role name")
      .description(
        "delete a service-linked role and wait for AWS to finish (it refuses while resources still use the role)",
      )
      .option("--no-wait", "start the deletion, print its task id and return")
      .option("--timeout <seconds>", "give up waiting after this long (1-3600)", "300")
      .option("--status <task-id>", "check a deletion started earlier instead of starting one"),
    [
      "rolectl slr delete AWSServiceRoleForAmazonConnect_shop --yes",
      "rolectl slr delete AWSServiceRoleForAmazonConnect_shop --yes --no-wait --json",
      "rolectl slr delete --status task/aws-service-role/connect.amazonaws.com/AWSServiceRoleForAmazonConnect_shop/5d8e9b1c-2f3a-4b5c-8d6e-7f8091a2b3c4",
    ],
  ).action(run<{ wait: boolean; timeout: string; status?: string }>(deleteSlr));
}

async function deleteSlr(
  ctx: CliContext,
  opts: { wait: boolean; timeout: string; status?: string },
  args: unknown[],
) {
  const {
    getDeletionStatus,
    planServiceLinkedRoleDeletion,
    startServiceLinkedRoleDeletion,
    waitForDeletion,
    deletionFailedError,
  } = await core();
  if (opts.status !== undefined) {
    const status = await getDeletionStatus(await ctx.iam(), validateDeletionTaskId(opts.status, "--status"));
    if (status.status === "FAILED") throw deletionFailedError(status);
    ctx.out.result(status, () => `${status.status}  (task ${status.deletionTaskId})`);
    return;
  }
  const timeoutSeconds = parseSeconds(opts.timeout, "--timeout", 1, 3600);
  const name = await askRoleName(ctx, args[0] as string | undefined);
  const iam = await ctx.iam();
  const plan = await planServiceLinkedRoleDeletion(iam, name);
  if (ctx.opts.dryRun) {
    ctx.out.result({ ...plan, status: "would-delete" }, () =>
      plan.actions.map((a) => `would ${a.description} (${a.operation})`).join("\n"),
    );
    return;
  }
  if (!ctx.opts.yes) {
    const ok = await ctx.prompter.confirm({ message: `Delete service-linked role ${name}?`, flag: "--yes" });
    if (!ok) {
      ctx.out.info("Nothing deleted.");
      return;
    }
  }
  const started = await startServiceLinkedRoleDeletion(iam, plan);
  if (!opts.wait) {
    ctx.out.result(
      { ...started, status: "IN_PROGRESS" },
      () => `deletion started  ${name}\ntask id           ${started.deletionTaskId}`,
    );
    return;
  }
  const progress = await ctx.progress(`Deleting ${name}…`);
  try {
    const done = await waitForDeletion(iam, started.deletionTaskId, {
      timeoutMs: timeoutSeconds * 1000,
      onPoll: (s, elapsed) =>
        progress.update(`Deleting ${name}: ${s.status} (${Math.round(elapsed / 1000)} s)`),
    });
    progress.succeed(`Deleted ${name}`);
    ctx.out.result({ ...started, status: done.status }, () => `deleted  ${name}`);
  } catch (err) {
    progress.fail(`Deleting ${name} did not finish`);
    throw err;
  }
}
