import {
  AttachRolePolicyCommand,
  AttachUserPolicyCommand,
  CreatePolicyCommand,
  CreatePolicyVersionCommand,
  DeletePolicyVersionCommand,
  GetPolicyCommand,
  GetPolicyVersionCommand,
  type IAMClient,
  ListAttachedRolePoliciesCommand,
  ListAttachedUserPoliciesCommand,
  ListPolicyVersionsCommand,
} from "@aws-sdk/client-iam";
import { awsErrorName } from "../errors.js";
import { policiesEqual } from "./canonical.js";
import { decodePolicyDocument, type PolicyDocumentShape } from "./document.js";

type Iam = Pick<IAMClient, "send">;

// A customer managed policy converged to a document: created, or given a new default version
// when it differs. IAM keeps at most 5 versions, so the oldest non-default one is pruned first.

export const MAX_POLICY_VERSIONS = 5;

export interface ManagedPolicyResult {
  arn: string;
  status: "created" | "updated" | "unchanged" | "would-create" | "would-update";
  versionId?: string;
  prunedVersion?: string;
}

export const customerPolicyArn = (partition: string, accountId: string, name: string) =>
  `arn:${partition}:iam::${accountId}:policy/${name}`;

export async function upsertManagedPolicy(
  iam: Iam,
  o: { arn: string; name: string; document: PolicyDocumentShape; description?: string; dryRun?: boolean },
): Promise<ManagedPolicyResult> {
  let defaultVersion: string | undefined;
  try {
    defaultVersion = (await iam.send(new GetPolicyCommand({ PolicyArn: o.arn }))).Policy?.DefaultVersionId;
  } catch (err) {
    if (awsErrorName(err) !== "NoSuchEntity") throw err;
    if (o.dryRun) return { arn: o.arn, status: "would-create" };
    const created = await iam.send(
      new CreatePolicyCommand({
        PolicyName: o.name,
        PolicyDocument: JSON.stringify(o.document),
        ...(o.description ? { Description: o.description } : {}),
      }),
    );
    return {
      arn: created.Policy?.Arn ?? o.arn,
      status: "created",
      versionId: created.Policy?.DefaultVersionId ?? "v1",
    };
  }
  const current = await iam.send(
    new GetPolicyVersionCommand({ PolicyArn: o.arn, VersionId: defaultVersion }),
  );
  if (policiesEqual(decodePolicyDocument(current.PolicyVersion?.Document), o.document)) {
    return { arn: o.arn, status: "unchanged", ...(defaultVersion ? { versionId: defaultVersion } : {}) };
  }
  if (o.dryRun) return { arn: o.arn, status: "would-update" };
  const versions = (await iam.send(new ListPolicyVersionsCommand({ PolicyArn: o.arn }))).Versions ?? [];
  let prunedVersion: string | undefined;
  if (versions.length >= MAX_POLICY_VERSIONS) {
    const oldest = versions
      .filter((v) => !v.IsDefaultVersion)
      .sort((a, b) => (a.CreateDate?.getTime() ?? 0) - (b.CreateDate?.getTime() ?? 0))[0];
    if (oldest?.VersionId) {
      await iam.send(new DeletePolicyVersionCommand({ PolicyArn: o.arn, VersionId: oldest.VersionId }));
      prunedVersion = oldest.VersionId;
    }
  }
  const made = await iam.send(
    new CreatePolicyVersionCommand({
      PolicyArn: o.arn,
      PolicyDocument: JSON.stringify(o.document),
      SetAsDefault: true,
    }),
  );
  return {
    arn: o.arn,
    status: "updated",
    ...(made.PolicyVersion?.VersionId ? { versionId: made.PolicyVersion.VersionId } : {}),
    ...(prunedVersion ? { prunedVersion } : {}),
  };
}

/** Attaches a managed policy to a user or role unless it is already attached; true if it attached. */
export async function attachPolicy(
  iam: Iam,
  target: { user?: string; role?: string },
  policyArn: string,
  dryRun = false,
): Promise<boolean> {
  if (target.user) {
    const out = await iam.send(new ListAttachedUserPoliciesCommand({ UserName: target.user }));
    if ((out.AttachedPolicies ?? []).some((p) => p.PolicyArn === policyArn)) return false;
    if (!dryRun) await iam.send(new AttachUserPolicyCommand({ UserName: target.user, PolicyArn: policyArn }));
    return true;
  }
  if (target.role) {
    const out = await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: target.role }));
    if ((out.AttachedPolicies ?? []).some((p) => p.PolicyArn === policyArn)) return false;
    if (!dryRun) await iam.send(new AttachRolePolicyCommand({ RoleName: target.role, PolicyArn: policyArn }));
    return true;
  }
  return false;
}
