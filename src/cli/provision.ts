import type { IAMClient } from "@aws-sdk/client-iam";
import { sortedKeys } from "../core/policies/canonical.js";
import type { ProvisionOutcome } from "../core/roles/provision.js";
import type { DesiredRole } from "../core/roles/role-state.js";
import { lineDiff } from "../shared/line-diff.js";
import type { CliContext } from "./context.js";

// Shared by amplify-service-role, role create and cross-account: plan in core, then show it
// (--dry-run), ask (the wizard), or apply it under a spinner; and the outcome's rendering.

export interface ProvisionOptions {
  force?: boolean;
  /** The IAM client to work with (default: the one of --profile). */
  iam?: IAMClient;
  /** Asked with the planned actions before anything is written (the interactive wizard). */
  confirm?: (actions: string[]) => Promise<boolean>;
}

export async function provisionRole(
  ctx: CliContext,
  desired: DesiredRole,
  options: ProvisionOptions = {},
): Promise<ProvisionOutcome> {
  const { planRoleProvision, applyRoleProvision, unappliedOutcome } = await import(
    "../core/roles/provision.js"
  );
  const iam = options.iam ?? (await ctx.iam());
  const planned = await planRoleProvision(iam, desired, options);
  if (planned.actions.length === 0 || ctx.opts.dryRun) return unappliedOutcome(planned, "dry-run");
  if (options.confirm && !(await options.confirm(planned.actions.map((a) => a.description))))
    return unappliedOutcome(planned, "cancelled");
  return ctx.withProgress(`Role ${desired.name}`, (onStep) => applyRoleProvision(iam, planned, onStep));
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
  // Declined: the plan was on screen just before the question, and nothing was done.
  if (o.status === "cancelled") return lines[0] as string;
  for (const a of o.actions)
    lines.push(`  ${o.status === "unchanged" ? "=" : o.plan.exists ? "~" : "+"} ${a.description}`);
  // A replaced trust policy is shown as a diff with keys sorted (so that key order, which IAM
  // keeps as given, is not shown as a change): who gains and who loses the right to assume.
  for (const c of o.plan.changes)
    if (c.kind === "update-trust" && c.before)
      lines.push(
        "trust policy change:",
        ...lineDiff(
          JSON.stringify(sortedKeys(c.before), null, 2).split("\n"),
          JSON.stringify(sortedKeys(c.after), null, 2).split("\n"),
        ).map((l) => `    ${l}`),
      );
  for (const n of o.notes) lines.push(`  note: ${n}`);
  if (dryRun) lines.push("trust policy:", JSON.stringify(trustPolicy, null, 2));
  return lines.join("\n");
}

export function outcomeJson(o: ProvisionOutcome, trustPolicy: unknown) {
  return {
    name: o.name,
    arn: o.arn,
    status: o.status,
    actions: o.actions,
    notes: o.notes,
    trustPolicy,
  };
}
