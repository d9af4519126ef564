import { type ActualRole, readRole } from "../../../core/roles/role-state.js";
import { configError } from "../../../shared/errors.js";
import { validateRoleName } from "../../../shared/validate.js";
import type { CliContext } from "../../context.js";
import { shortDate } from "../../render.js";

export async function showCommand(ctx: CliContext, given: string): Promise<void> {
  const name = validateRoleName(given, "NAME");
  const role = await readRole(await ctx.iam(), name);
  if (!role) {
    throw configError("not_found", `Role ${name} does not exist.`, {
      hint: "Check the name; IAM role names are case-sensitive.",
    });
  }
  ctx.out.result(roleJson(role), () =>
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
}

/** `role show --json`: every key present (null when unset), tags as an object. */
export function roleJson(role: ActualRole) {
  return {
    name: role.name,
    arn: role.arn,
    path: role.path,
    description: role.description ?? null,
    maxSessionDuration: role.maxSessionDuration ?? 3600,
    created: role.created ?? null,
    lastUsed: role.lastUsed?.date ? { date: role.lastUsed.date, region: role.lastUsed.region ?? null } : null,
    permissionsBoundary: role.permissionsBoundary ?? null,
    tags: Object.fromEntries(role.tags.map((t) => [t.Key, t.Value])),
    managedPolicies: role.managedPolicies,
    inlinePolicies: role.inlinePolicies,
    trustPolicy: role.trustPolicy ?? null,
  };
}
