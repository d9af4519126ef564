import type { ApplyResult } from "../core/roles/apply.js";
import type { RolePlan } from "../core/roles/plan.js";
import type { DesiredRole } from "../core/roles/role-state.js";
import type { CliContext } from "./context.js";

// Shared by amplify-service-role, role create and cross-account: read, plan, show or apply.

export interface ProvisionOutcome {
  name: string;
  arn: string;
  status: "created" | "updated" | "unchanged" | "would-create" | "would-update" | "cancelled";
  actions: string[];
  notes: string[];
  plan: RolePlan;
}

export interface ProvisionOptions {
  force?: boolean;
  /** The IAM client to work with (default: the one of --profile). */
  iam?: import("@aws-sdk/client-iam").IAMClient;
  /** Asked with the planned actions before anything is written (the interactive wizard). */
  confirm?: (actions: string[]) => Promise<boolean>;
}

export async function provisionRole(
  ctx: CliContext,
  desired: DesiredRole,
  options: ProvisionOptions = {},
): Promise<ProvisionOutcome> {
  const [{ readRole }, { planRole, describeChange, validateManagedPolicyCount }, { applyRolePlan }] =
    await Promise.all([
      import("../core/roles/role-state.js"),
      import("../core/roles/plan.js"),
      import("../core/roles/apply.js"),
    ]);
  validateManagedPolicyCount(desired);
  const iam = options.iam ?? (await ctx.iam());
  const actual = await readRole(iam, desired.name);
  const plan = planRole(desired, actual, options);
  const actions = plan.changes.map(describeChange);
  const base = { name: desired.name, actions, notes: plan.notes, plan };
  if (plan.changes.length === 0) return { ...base, arn: actual?.arn ?? "", status: "unchanged" };
  if (ctx.opts.dryRun)
    return { ...base, arn: actual?.arn ?? "", status: plan.exists ? "would-update" : "would-create" };
  if (options.confirm && !(await options.confirm(actions)))
    return { ...base, arn: actual?.arn ?? "", status: "cancelled" };
  const progress = await ctx.progress(`Role ${desired.name}: ${actions[0]}`);
  let result: ApplyResult;
  try {
    result = await applyRolePlan(iam, plan, (step) => progress.update(`Role ${desired.name}: ${step}`));
    progress.stop();
  } catch (err) {
    progress.fail(`Role ${desired.name}: failed`);
    throw err;
  }
  return { ...base, arn: result.arn ?? actual?.arn ?? "", status: plan.exists ? "updated" : "created" };
}

const STATUS_WORD: Record<ProvisionOutcome["status"], string> = {
  created: "created",
  updated: "updated",
  unchanged: "up to date",
  "would-create": "would create",
  "would-update": "would update",
  cancelled: "nothing changed (cancelled)",
};

/** Human text for an outcome; with --dry-run the exact trust policy follows the plan. */
export function describeOutcome(o: ProvisionOutcome, trustPolicy: unknown, dryRun: boolean): string {
  const lines = [`${STATUS_WORD[o.status]}  ${o.name}`];
  if (o.arn) lines.push(`arn  ${o.arn}`);
  for (const a of o.actions)
    lines.push(`  ${o.status === "unchanged" ? "=" : o.plan.exists ? "~" : "+"} ${a}`);
  for (const n of o.notes) lines.push(`  note: ${n}`);
  if (dryRun) lines.push("trust policy:", JSON.stringify(trustPolicy, null, 2));
  return lines.join("\n");
}

export function outcomeJson(o: ProvisionOutcome, trustPolicy: unknown, dryRun: boolean) {
  return {
    name: o.name,
    arn: o.arn,
    status: o.status,
    actions: o.actions,
    ...(o.notes.length ? { notes: o.notes } : {}),
    ...(dryRun ? { trustPolicy } : {}),
  };
}
