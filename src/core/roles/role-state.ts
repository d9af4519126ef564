import {
  GetRoleCommand,
  GetRolePolicyCommand,
  type IAMClient,
  ListAttachedRolePoliciesCommand,
  ListRolePoliciesCommand,
  type Role,
} from "@aws-sdk/client-iam";
import { awsErrorName } from "../../shared/errors.js";
import type { Tag } from "../../shared/validate.js";
import { decodePolicyDocument, type PolicyDocumentShape } from "../policies/document.js";

export type Iam = Pick<IAMClient, "send">;

/** What a role should be. Managed and inline policies and tags are "at least these". */
export interface DesiredRole {
  name: string;
  path: string;
  trustPolicy: PolicyDocumentShape;
  description?: string;
  maxSessionDuration?: number;
  permissionsBoundary?: string;
  managedPolicies: string[];
  /** Managed policies the desired ones replace: detached when attached (Amplify Gen 1 → Gen 2). */
  replacesPolicies?: string[];
  inlinePolicies: Record<string, PolicyDocumentShape>;
  tags: Tag[];
}

/** What a role is, read back from IAM (documents decoded). */
export interface ActualRole {
  name: string;
  arn: string;
  path: string;
  trustPolicy: PolicyDocumentShape | undefined;
  description?: string;
  maxSessionDuration?: number;
  permissionsBoundary?: string;
  managedPolicies: string[];
  inlinePolicies: Record<string, PolicyDocumentShape | undefined>;
  tags: Tag[];
  created?: string;
  lastUsed?: LastUsed;
}

async function pages<T>(
  fetch: (marker?: string) => Promise<{ items: T[]; marker?: string | undefined }>,
): Promise<T[]> {
  const out: T[] = [];
  let marker: string | undefined;
  do {
    const page = await fetch(marker);
    out.push(...page.items);
    marker = page.marker;
  } while (marker);
  return out;
}

export interface LastUsed {
  date?: string;
  region?: string;
}

/** RoleLastUsed as rolectl reports it; undefined when the role was never used. */
export function lastUsedOf(role: Pick<Role, "RoleLastUsed">): LastUsed | undefined {
  const used = role.RoleLastUsed;
  if (!used?.LastUsedDate && !used?.Region) return undefined;
  return {
    ...(used.LastUsedDate ? { date: used.LastUsedDate.toISOString() } : {}),
    ...(used.Region ? { region: used.Region } : {}),
  };
}

/** Reads a role with its policies; undefined when it does not exist. */
export async function readRole(
  iam: Iam,
  name: string,
  withInlineDocuments = true,
): Promise<ActualRole | undefined> {
  let role: Role | undefined;
  try {
    role = (await iam.send(new GetRoleCommand({ RoleName: name }))).Role;
  } catch (err) {
    if (awsErrorName(err) === "NoSuchEntity") return undefined;
    throw err;
  }
  if (!role) return undefined;
  const attached = await pages(async (Marker) => {
    const out = await iam.send(
      new ListAttachedRolePoliciesCommand({ RoleName: name, ...(Marker ? { Marker } : {}) }),
    );
    return {
      items: (out.AttachedPolicies ?? []).map((p) => p.PolicyArn ?? ""),
      marker: out.IsTruncated ? out.Marker : undefined,
    };
  });
  const inlineNames = await pages(async (Marker) => {
    const out = await iam.send(
      new ListRolePoliciesCommand({ RoleName: name, ...(Marker ? { Marker } : {}) }),
    );
    return { items: out.PolicyNames ?? [], marker: out.IsTruncated ? out.Marker : undefined };
  });
  const inlinePolicies: Record<string, PolicyDocumentShape | undefined> = {};
  for (const policyName of inlineNames) {
    inlinePolicies[policyName] = withInlineDocuments
      ? decodePolicyDocument(
          (await iam.send(new GetRolePolicyCommand({ RoleName: name, PolicyName: policyName })))
            .PolicyDocument,
        )
      : undefined;
  }
  const lastUsed = lastUsedOf(role);
  return {
    name: role.RoleName ?? name,
    arn: role.Arn ?? "",
    path: role.Path ?? "/",
    trustPolicy: decodePolicyDocument(role.AssumeRolePolicyDocument),
    ...(role.Description ? { description: role.Description } : {}),
    ...(role.MaxSessionDuration ? { maxSessionDuration: role.MaxSessionDuration } : {}),
    ...(role.PermissionsBoundary?.PermissionsBoundaryArn
      ? { permissionsBoundary: role.PermissionsBoundary.PermissionsBoundaryArn }
      : {}),
    managedPolicies: attached,
    inlinePolicies,
    tags: (role.Tags ?? []).map((t) => ({ Key: t.Key ?? "", Value: t.Value ?? "" })),
    ...(role.CreateDate ? { created: role.CreateDate.toISOString() } : {}),
    ...(lastUsed ? { lastUsed } : {}),
  };
}
