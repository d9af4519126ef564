import { conflictError, usageError } from "../../shared/errors.js";
import type { Tag } from "../../shared/validate.js";
import { policiesEqual } from "../policies/canonical.js";
import type { PolicyDocumentShape } from "../policies/document.js";
import { trustPrincipals } from "../policies/document.js";
import type { Action } from "../steps.js";
import type { ActualRole, DesiredRole } from "./role-state.js";

// plan -> apply: the plan is data (what to change and why), printed by --dry-run and applied
// step by step. A second run over a converged role plans nothing.

export type RoleChange =
  | { kind: "create-role"; role: DesiredRole }
  | { kind: "update-trust"; before: PolicyDocumentShape | undefined; after: PolicyDocumentShape }
  | { kind: "update-role"; description?: string; maxSessionDuration?: number }
  | { kind: "put-permissions-boundary"; arn: string }
  | { kind: "attach-policy"; arn: string }
  | { kind: "detach-policy"; arn: string }
  | { kind: "put-inline-policy"; name: string; document: PolicyDocumentShape }
  | { kind: "tag-role"; tags: Tag[] };

export interface RolePlan {
  name: string;
  exists: boolean;
  changes: RoleChange[];
  /** Things that differ but are left alone (extra policies someone attached). */
  notes: string[];
}

const OPERATION: Record<RoleChange["kind"], string> = {
  "create-role": "iam:CreateRole",
  "update-trust": "iam:UpdateAssumeRolePolicy",
  "update-role": "iam:UpdateRole",
  "put-permissions-boundary": "iam:PutRolePermissionsBoundary",
  "attach-policy": "iam:AttachRolePolicy",
  "detach-policy": "iam:DetachRolePolicy",
  "put-inline-policy": "iam:PutRolePolicy",
  "tag-role": "iam:TagRole",
};

/** A change as an action: every one of them is called on the role (its name is the target). */
export function changeAction(role: string, c: RoleChange): Action {
  return { description: describeChange(c), operation: OPERATION[c.kind], target: role };
}

export function describeChange(c: RoleChange): string {
  switch (c.kind) {
    case "create-role":
      return `create role ${c.role.name} (path ${c.role.path}${c.role.maxSessionDuration ? `, max session ${c.role.maxSessionDuration} s` : ""})`;
    case "update-trust":
      return c.before ? "replace the trust policy (it differs from the desired one)" : "set the trust policy";
    case "update-role":
      return `update ${[
        c.description !== undefined ? `description to ${JSON.stringify(c.description)}` : "",
        c.maxSessionDuration !== undefined ? `max session duration to ${c.maxSessionDuration} s` : "",
      ]
        .filter(Boolean)
        .join(" and ")}`;
    case "put-permissions-boundary":
      return `set permissions boundary ${c.arn}`;
    case "attach-policy":
      return `attach ${c.arn}`;
    case "detach-policy":
      return `detach ${c.arn} (replaced)`;
    case "put-inline-policy":
      return `put inline policy ${c.name}`;
    case "tag-role":
      return `tag ${c.tags.map((t) => `${t.Key}=${t.Value}`).join(", ")}`;
  }
}

export interface PlanOptions {
  /** Replace the trust of a role that trusts something else entirely. */
  force?: boolean;
}

export function planRole(
  desired: DesiredRole,
  actual: ActualRole | undefined,
  options: PlanOptions = {},
): RolePlan {
  if (!actual) {
    const changes: RoleChange[] = [{ kind: "create-role", role: desired }];
    for (const arn of desired.managedPolicies) changes.push({ kind: "attach-policy", arn });
    for (const [name, document] of Object.entries(desired.inlinePolicies))
      changes.push({ kind: "put-inline-policy", name, document });
    return { name: desired.name, exists: false, changes, notes: [] };
  }

  if (actual.path.startsWith("/aws-service-role/")) {
    throw conflictError(
      "unmodifiable",
      `Role ${actual.name} is a service-linked role; only its service may change it.`,
      {
        hint: "Use `rolectl slr update-description` (the one edit AWS allows) or `rolectl slr delete`.",
      },
    );
  }
  if (actual.path !== desired.path) {
    throw conflictError(
      "role_path_differs",
      `Role ${actual.name} exists with path ${actual.path}, not ${desired.path}; IAM cannot move a role.`,
      {
        hint: "Use the existing path (--path), another name, or delete the role first.",
      },
    );
  }

  const changes: RoleChange[] = [];
  const notes: string[] = [];
  if (!policiesEqual(actual.trustPolicy, desired.trustPolicy)) {
    const wanted = trustPrincipals(desired.trustPolicy);
    const has = trustPrincipals(actual.trustPolicy);
    if (!options.force && !wanted.some((p) => has.includes(p))) {
      throw conflictError(
        "role_conflict",
        `Role ${actual.name} already exists and trusts ${has.join(", ") || "nobody"}, not ${wanted.join(", ")}; it looks like a different role.`,
        {
          hint: "Pick another --role-name, or pass --force to replace its trust policy.",
          details: { trusts: has, wanted },
        },
      );
    }
    changes.push({ kind: "update-trust", before: actual.trustPolicy, after: desired.trustPolicy });
  }
  const roleUpdate: { description?: string; maxSessionDuration?: number } = {};
  if (desired.description !== undefined && desired.description !== actual.description)
    roleUpdate.description = desired.description;
  if (desired.maxSessionDuration !== undefined && desired.maxSessionDuration !== actual.maxSessionDuration) {
    roleUpdate.maxSessionDuration = desired.maxSessionDuration;
  }
  if (Object.keys(roleUpdate).length) changes.push({ kind: "update-role", ...roleUpdate });
  if (desired.permissionsBoundary && desired.permissionsBoundary !== actual.permissionsBoundary) {
    changes.push({ kind: "put-permissions-boundary", arn: desired.permissionsBoundary });
  }
  for (const arn of desired.managedPolicies)
    if (!actual.managedPolicies.includes(arn)) changes.push({ kind: "attach-policy", arn });
  for (const arn of actual.managedPolicies) {
    if (desired.managedPolicies.includes(arn)) continue;
    if (desired.replacesPolicies?.includes(arn)) changes.push({ kind: "detach-policy", arn });
    else notes.push(`also attached (left alone): ${arn}`);
  }
  for (const [name, document] of Object.entries(desired.inlinePolicies)) {
    if (!policiesEqual(actual.inlinePolicies[name], document))
      changes.push({ kind: "put-inline-policy", name, document });
  }
  const missingTags = desired.tags.filter(
    (t) => !actual.tags.some((a) => a.Key === t.Key && a.Value === t.Value),
  );
  if (missingTags.length) changes.push({ kind: "tag-role", tags: missingTags });
  return { name: desired.name, exists: true, changes, notes };
}

export function validateManagedPolicyCount(desired: DesiredRole): void {
  if (desired.managedPolicies.length > 10) {
    // Bad input, known before any call: exit 2, not a conflict with what exists.
    throw usageError(
      "invalid_value",
      `A role can have at most 10 managed policies; ${desired.managedPolicies.length} were asked for.`,
    );
  }
}
