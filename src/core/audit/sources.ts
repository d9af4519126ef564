import {
  GetRoleCommand,
  ListAttachedRolePoliciesCommand,
  ListRolesCommand,
  type Role,
} from "@aws-sdk/client-iam";
import { readRegularFile } from "../../fs/private-file.js";
import { usageError } from "../../shared/errors.js";
import { scanJson } from "../../shared/json-scan.js";
import { mapLimit } from "../../shared/map-limit.js";
import { decodePolicyDocument, type PolicyDocumentShape } from "../policies/document.js";
import type { Iam } from "../roles/role-state.js";
import { ADMIN_POLICIES, type AuditedRole } from "./audit.js";

// Where audited roles come from: the account (ListRoles, then per role what the rules need), or
// files offline (a trust policy, or a CloudFormation template in JSON) with no AWS call.

const SLR_PATH = "/aws-service-role/";

/** A trust policy file, or every AWS::IAM::Role of a JSON CloudFormation template. */
export function rolesFromFile(path: string): AuditedRole[] {
  let text: string | undefined;
  try {
    text = readRegularFile(path, 4 * 1024 * 1024);
  } catch (err) {
    throw usageError(
      "unreadable_file",
      `Cannot read ${path} (--file): ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}.`,
    );
  }
  if (text === undefined) throw usageError("unreadable_file", `Cannot read ${path} (--file): ENOENT.`);
  const body = text.replace(/^\uFEFF/, "");
  if (!body.trimStart().startsWith("{"))
    throw usageError(
      "invalid_value",
      `${path} (--file) is not JSON: give a trust policy or a JSON CloudFormation template.`,
      {
        hint: "A YAML template can be converted first, e.g. `cfn-flip template.yaml > template.json`.",
      },
    );
  scanJson(body, path);
  const doc = JSON.parse(body) as Record<string, unknown>;
  if (doc.Statement !== undefined) return [{ name: path, trust: doc as PolicyDocumentShape }];
  const resources = doc.Resources;
  if (typeof resources !== "object" || resources === null)
    throw usageError(
      "invalid_value",
      `${path} (--file) has neither a Statement nor CloudFormation Resources.`,
    );
  const roles: AuditedRole[] = [];
  for (const [logicalId, resource] of Object.entries(resources as Record<string, unknown>)) {
    const r = resource as { Type?: unknown; Properties?: Record<string, unknown> };
    if (r?.Type !== "AWS::IAM::Role") continue;
    const props = r.Properties ?? {};
    const managed = Array.isArray(props.ManagedPolicyArns)
      ? props.ManagedPolicyArns.filter((a): a is string => typeof a === "string")
      : [];
    roles.push({
      name: `${path}#${typeof props.RoleName === "string" ? props.RoleName : logicalId}`,
      trust: props.AssumeRolePolicyDocument as PolicyDocumentShape | undefined,
      ...(typeof props.Path === "string" && props.Path.startsWith(SLR_PATH) ? { serviceLinked: true } : {}),
      adminPolicies: managed.filter((a) => ADMIN_POLICIES.test(a)),
    });
  }
  return roles;
}

/**
 * The account's roles (or the named ones) with what the rules read: trust policy, attached
 * administrator policies and, for those, when the role was last used. `concurrency` roles at a
 * time; `progress` after each.
 */
export async function rolesFromAccount(
  iam: Iam,
  o: { names?: string[]; concurrency: number; progress?: (done: number, total: number) => void },
): Promise<AuditedRole[]> {
  let listed: Role[] = [];
  if (o.names?.length) {
    for (const name of o.names) {
      const out = await iam.send(new GetRoleCommand({ RoleName: name }));
      if (out.Role) listed.push(out.Role);
    }
  } else {
    let marker: string | undefined;
    do {
      const page = await iam.send(
        new ListRolesCommand({ ...(marker ? { Marker: marker } : {}), MaxItems: 1000 }),
      );
      listed = listed.concat(page.Roles ?? []);
      marker = page.IsTruncated ? page.Marker : undefined;
    } while (marker);
  }
  return mapLimit(
    listed,
    o.concurrency,
    async (role): Promise<AuditedRole> => {
      const name = role.RoleName ?? "?";
      const serviceLinked = (role.Path ?? "").startsWith(SLR_PATH);
      const attached = serviceLinked
        ? []
        : ((await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: name }))).AttachedPolicies ?? []);
      const adminPolicies = attached.map((p) => p.PolicyArn ?? "").filter((a) => ADMIN_POLICIES.test(a));
      // RoleLastUsed only comes with GetRole: asked only where a rule reads it.
      const full = adminPolicies.length
        ? (await iam.send(new GetRoleCommand({ RoleName: name }))).Role
        : undefined;
      return {
        name,
        accountId: /^arn:[\w-]+:iam::(\d{12}):/.exec(role.Arn ?? "")?.[1],
        trust: decodePolicyDocument(role.AssumeRolePolicyDocument),
        ...(serviceLinked ? { serviceLinked } : {}),
        adminPolicies,
        ...(full ? { lastUsed: full.RoleLastUsed?.LastUsedDate ?? null } : {}),
        ...(role.CreateDate ? { created: role.CreateDate } : {}),
      };
    },
    o.progress,
  );
}
