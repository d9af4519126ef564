import { GetPolicyCommand } from "@aws-sdk/client-iam";
import { awsErrorName, configError } from "../../shared/errors.js";
import type { Action } from "../steps.js";
import type { ApplyResult } from "./apply.js";
import { applyRolePlan } from "./apply.js";
import {
  changeAction,
  type PlanOptions,
  planRole,
  type RolePlan,
  validateManagedPolicyCount,
} from "./plan.js";
import { type DesiredRole, type Iam, readRole } from "./role-state.js";

// Shared by amplify-service-role, role create and cross-account: read, plan, then apply (or,
// with --dry-run, stop at the plan). The plan's actions are what --dry-run prints and what
// apply reports as done.

export type ProvisionStatus =
  | "created"
  | "updated"
  | "unchanged"
  | "would-create"
  | "would-update"
  | "cancelled";

export interface RoleProvision {
  desired: DesiredRole;
  plan: RolePlan;
  /** The role's ARN when it exists already. */
  arn: string;
  actions: Action[];
}

export interface ProvisionOutcome {
  name: string;
  arn: string;
  status: ProvisionStatus;
  actions: Action[];
  notes: string[];
  plan: RolePlan;
}

export async function planRoleProvision(
  iam: Iam,
  desired: DesiredRole,
  options: PlanOptions = {},
): Promise<RoleProvision> {
  validateManagedPolicyCount(desired);
  const actual = await readRole(iam, desired.name);
  // A policy that does not exist would fail the attach after the role was made: ask first.
  for (const arn of desired.managedPolicies.filter((a) => !actual?.managedPolicies.includes(a)))
    await requirePolicy(iam, arn, "Managed policy");
  const boundary = desired.permissionsBoundary;
  if (boundary && boundary !== actual?.permissionsBoundary)
    await requirePolicy(iam, boundary, "Permissions boundary policy");
  const plan = planRole(desired, actual, options);
  return {
    desired,
    plan,
    arn: actual?.arn ?? "",
    actions: plan.changes.map((c) => changeAction(desired.name, c)),
  };
}

/** What a plan's outcome is without applying it: unchanged, would-…, or cancelled. */
export function unappliedOutcome(p: RoleProvision, why: "dry-run" | "cancelled"): ProvisionOutcome {
  const status: ProvisionStatus =
    p.plan.changes.length === 0
      ? "unchanged"
      : why === "cancelled"
        ? "cancelled"
        : p.plan.exists
          ? "would-update"
          : "would-create";
  return { name: p.desired.name, arn: p.arn, status, actions: p.actions, notes: p.plan.notes, plan: p.plan };
}

export async function applyRoleProvision(
  iam: Iam,
  p: RoleProvision,
  onStep?: (description: string) => void,
): Promise<ProvisionOutcome> {
  if (p.plan.changes.length === 0) return unappliedOutcome(p, "dry-run");
  const result: ApplyResult = await applyRolePlan(iam, p.plan, onStep);
  return {
    name: p.desired.name,
    arn: result.arn ?? p.arn,
    status: p.plan.exists ? "updated" : "created",
    actions: p.actions,
    notes: p.plan.notes,
    plan: p.plan,
  };
}

async function requirePolicy(iam: Iam, arn: string, what: string): Promise<void> {
  try {
    await iam.send(new GetPolicyCommand({ PolicyArn: arn }));
  } catch (err) {
    if (awsErrorName(err) !== "NoSuchEntity") throw err;
    throw configError("not_found", `${what} ${arn} does not exist.`, {
      hint: "Check the ARN: `aws iam list-policies --scope AWS` lists AWS's, `--scope Local` your own.",
    });
  }
}
