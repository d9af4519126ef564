import { deleteRole, planRoleDeletion } from "../../../core/roles/delete.js";
import { actionOf } from "../../../core/steps.js";
import { validateRoleName } from "../../../shared/validate.js";
import type { CliContext } from "../../context.js";

export async function deleteCommand(ctx: CliContext, given: string): Promise<void> {
  const name = validateRoleName(given, "NAME");
  const iam = await ctx.iam();
  const { arn, steps } = await planRoleDeletion(iam, name);
  if (ctx.opts.dryRun) {
    ctx.out.result({ name, arn, status: "would-delete", actions: steps.map(actionOf) }, () =>
      [`would delete  ${name}`, ...steps.map((s) => `  - ${s.description}`)].join("\n"),
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
    [`deleted  ${name}`, ...applied.map((a) => `  - ${a.description}`)].join("\n"),
  );
}
