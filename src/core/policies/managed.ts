import {
  AttachRolePolicyCommand,
  AttachUserPolicyCommand,
  CreatePolicyCommand,
  CreatePolicyVersionCommand,
  DeletePolicyVersionCommand,
  GetPolicyCommand,
  GetPolicyVersionCommand,
  GetRoleCommand,
  GetUserCommand,
  type IAMClient,
  ListAttachedRolePoliciesCommand,
  ListAttachedUserPoliciesCommand,
  ListPolicyVersionsCommand,
  type PolicyVersion,
} from "@aws-sdk/client-iam";
import { existsAfterRetry } from "../../aws/errors.js";
import { awsErrorName, configError } from "../../shared/errors.js";
import { applySteps, type Step } from "../steps.js";
import { policiesEqual } from "./canonical.js";
import { decodePolicyDocument, type PolicyDocumentShape } from "./document.js";

type Iam = Pick<IAMClient, "send">;

// A customer managed policy converged to a document, plan then apply: created, or given a new
// default version when it differs. IAM keeps at most 5 versions, so the plan prunes the oldest
// non-default one first.

export const MAX_POLICY_VERSIONS = 5;

export interface ManagedPolicyResult {
  arn: string;
  status: "created" | "updated" | "unchanged" | "would-create" | "would-update";
  versionId: string | null;
  prunedVersion: string | null;
}

export interface ManagedPolicyPlan {
  arn: string;
  name: string;
  /** What apply will do; nothing when the default version already has the document. */
  change: "create" | "update" | "none";
  steps: Step[];
  /** Filled in by the steps as they run. */
  readonly result: { versionId?: string; prunedVersion?: string };
}

export interface DesiredManagedPolicy {
  arn: string;
  name: string;
  document: PolicyDocumentShape;
  description?: string;
}

/** The oldest version that is not the default: the one IAM's 5-version limit makes us delete. */
export function versionToPrune(versions: PolicyVersion[]): string | undefined {
  if (versions.length < MAX_POLICY_VERSIONS) return undefined;
  return versions
    .filter((v) => !v.IsDefaultVersion)
    .sort((a, b) => (a.CreateDate?.getTime() ?? 0) - (b.CreateDate?.getTime() ?? 0))[0]?.VersionId;
}

/** Reads the policy (GetPolicy, its default version, its versions) and plans the change. */
export async function planManagedPolicy(iam: Iam, o: DesiredManagedPolicy): Promise<ManagedPolicyPlan> {
  const result: ManagedPolicyPlan["result"] = {};
  const base = { arn: o.arn, name: o.name, result };
  let defaultVersion: string | undefined;
  try {
    defaultVersion = (await iam.send(new GetPolicyCommand({ PolicyArn: o.arn }))).Policy?.DefaultVersionId;
  } catch (err) {
    if (awsErrorName(err) !== "NoSuchEntity") throw err;
    const create: Step = {
      description: `create managed policy ${o.name}`,
      operation: "iam:CreatePolicy",
      target: o.arn,
      run: async () => {
        try {
          const created = await iam.send(
            new CreatePolicyCommand({
              PolicyName: o.name,
              PolicyDocument: JSON.stringify(o.document),
              ...(o.description ? { Description: o.description } : {}),
            }),
          );
          result.versionId = created.Policy?.DefaultVersionId ?? "v1";
        } catch (err) {
          if (!existsAfterRetry(err)) throw err;
          const made = await iam.send(new GetPolicyCommand({ PolicyArn: o.arn }));
          result.versionId = made.Policy?.DefaultVersionId ?? "v1";
        }
      },
    };
    return { ...base, change: "create", steps: [create] };
  }
  if (defaultVersion) result.versionId = defaultVersion;
  const current = await iam.send(
    new GetPolicyVersionCommand({ PolicyArn: o.arn, VersionId: defaultVersion }),
  );
  if (policiesEqual(decodePolicyDocument(current.PolicyVersion?.Document), o.document))
    return { ...base, change: "none", steps: [] };
  const versions = (await iam.send(new ListPolicyVersionsCommand({ PolicyArn: o.arn }))).Versions ?? [];
  const prune = versionToPrune(versions);
  const steps: Step[] = [];
  if (prune) {
    steps.push({
      description: `delete version ${prune} of ${o.name} (IAM keeps ${MAX_POLICY_VERSIONS})`,
      operation: "iam:DeletePolicyVersion",
      target: o.arn,
      run: async () => {
        await iam.send(new DeletePolicyVersionCommand({ PolicyArn: o.arn, VersionId: prune }));
        result.prunedVersion = prune;
      },
    });
  }
  steps.push({
    description: `make a new default version of ${o.name} (the document differs)`,
    operation: "iam:CreatePolicyVersion",
    target: o.arn,
    run: async () => {
      const made = await iam.send(
        new CreatePolicyVersionCommand({
          PolicyArn: o.arn,
          PolicyDocument: JSON.stringify(o.document),
          SetAsDefault: true,
        }),
      );
      if (made.PolicyVersion?.VersionId) result.versionId = made.PolicyVersion.VersionId;
    },
  });
  return { ...base, change: "update", steps };
}

/** The plan's outcome: what was done (or, with dryRun, what would be). */
export function managedPolicyResult(plan: ManagedPolicyPlan, dryRun: boolean): ManagedPolicyResult {
  const status =
    plan.change === "none"
      ? "unchanged"
      : plan.change === "create"
        ? dryRun
          ? "would-create"
          : "created"
        : dryRun
          ? "would-update"
          : "updated";
  return {
    arn: plan.arn,
    status,
    versionId:
      (plan.result.versionId && !(dryRun && plan.change !== "none") && plan.result.versionId) || null,
    prunedVersion: plan.result.prunedVersion || null,
  };
}

export async function applyManagedPolicy(plan: ManagedPolicyPlan): Promise<ManagedPolicyResult> {
  await applySteps(plan.steps);
  return managedPolicyResult(plan, false);
}

export interface AttachTarget {
  user?: string;
  role?: string;
}

/**
 * The step that attaches a managed policy to a user or role, or none when it is attached.
 * `exists: false` (the user or role is still to be created) skips the read.
 */
export async function planAttachment(
  iam: Iam,
  target: AttachTarget,
  policyArn: string,
  /** "new": created by this plan; "exists": the caller just read it; "unchecked": read it here. */
  targetState: "new" | "exists" | "unchecked" = "unchecked",
): Promise<Step[]> {
  const { user, role } = target;
  if (!user && !role) return [];
  if (targetState !== "new") {
    // Named, not created here: it must exist before anything is written (the lists do not say).
    if (targetState === "unchecked")
      try {
        if (user) await iam.send(new GetUserCommand({ UserName: user }));
        else await iam.send(new GetRoleCommand({ RoleName: role }));
      } catch (err) {
        if (awsErrorName(err) !== "NoSuchEntity") throw err;
        throw configError("not_found", `${user ? `User ${user}` : `Role ${role}`} does not exist.`, {
          hint: "Check the name (IAM names are case-sensitive), or create it first.",
        });
      }
    const attached = user
      ? (await iam.send(new ListAttachedUserPoliciesCommand({ UserName: user }))).AttachedPolicies
      : (await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: role }))).AttachedPolicies;
    if ((attached ?? []).some((p) => p.PolicyArn === policyArn)) return [];
  }
  return [
    {
      description: `attach ${policyArn} to ${user ? `user ${user}` : `role ${role}`}`,
      operation: user ? "iam:AttachUserPolicy" : "iam:AttachRolePolicy",
      target: (user ?? role) as string,
      run: () =>
        user
          ? iam.send(new AttachUserPolicyCommand({ UserName: user, PolicyArn: policyArn }))
          : iam.send(new AttachRolePolicyCommand({ RoleName: role, PolicyArn: policyArn })),
    },
  ];
}

/** Where AWS keeps its managed policies: the root, and the paths of its role-shaped ones. */
const AWS_POLICY_PATHS = ["", "service-role/", "job-function/", "aws-service-role/"];

/** The ARN of the AWS managed policy of that name, or undefined when there is none. */
export async function findAwsManagedPolicy(
  iam: Pick<IAMClient, "send">,
  name: string,
  partition = "aws",
): Promise<string | undefined> {
  for (const path of AWS_POLICY_PATHS) {
    const arn = `arn:${partition}:iam::aws:policy/${path}${name}`;
    try {
      await iam.send(new GetPolicyCommand({ PolicyArn: arn }));
      return arn;
    } catch (err) {
      if (awsErrorName(err) !== "NoSuchEntity") throw err;
    }
  }
  return undefined;
}
