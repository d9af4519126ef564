import type { AmplifyClient } from "@aws-sdk/client-amplify";
import {
  GetAppCommand,
  GetBranchCommand,
  UpdateAppCommand,
  UpdateBranchCommand,
} from "@aws-sdk/client-amplify";
import { RolectlError } from "../../shared/errors.js";
import type { Tag } from "../../shared/validate.js";
import type { PolicyDocumentShape } from "../policies/document.js";
import type { DesiredRole } from "../roles/role-state.js";
import type { Step } from "../steps.js";

// The SSR compute role (2025): the role an app's server-side rendering code runs as, set on the
// app or on one branch (AWS recommends a branch's own role for public repositories). Trusted by
// amplify.amazonaws.com, only on behalf of that app or branch (the confused-deputy conditions).

type Amplify = Pick<AmplifyClient, "send">;

/** Where the compute role is set: an app, or one of its branches. */
export interface ComputeTarget {
  appId: string;
  appName: string;
  branch?: string;
  /** The app's (or branch's) ARN: the aws:SourceArn the trust allows. */
  arn: string;
  computeRoleArn?: string;
}

export async function readComputeTarget(
  amplify: Amplify,
  appId: string,
  branch?: string,
): Promise<ComputeTarget> {
  const app = (await amplify.send(new GetAppCommand({ appId }))).app;
  const base = { appId, appName: app?.name ?? appId };
  // The ARN becomes the trust's aws:SourceArn: without it the condition would be meaningless.
  const arnOf = (arn: string | undefined, what: string) => {
    if (!arn) throw new RolectlError("aws_error", `Amplify returned no ARN for ${what}.`);
    return arn;
  };
  if (branch === undefined)
    return {
      ...base,
      arn: arnOf(app?.appArn, `app ${appId}`),
      ...(app?.computeRoleArn ? { computeRoleArn: app.computeRoleArn } : {}),
    };
  const b = (await amplify.send(new GetBranchCommand({ appId, branchName: branch }))).branch;
  return {
    ...base,
    branch,
    arn: arnOf(b?.branchArn, `branch ${branch} of app ${appId}`),
    ...(b?.computeRoleArn ? { computeRoleArn: b.computeRoleArn } : {}),
  };
}

/** A role name from the app and branch (characters IAM refuses in a name become "-"). */
export const defaultComputeRoleName = (appId: string, branch?: string): string =>
  `AmplifySSRCompute-${appId}${branch ? `-${branch}` : ""}`.replace(/[^\w+=,.@-]/g, "-").slice(0, 64);

export function computeTrust(target: ComputeTarget, accountId: string): PolicyDocumentShape {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Effect: "Allow",
        Principal: { Service: "amplify.amazonaws.com" },
        Action: "sts:AssumeRole",
        Condition: {
          StringEquals: { "aws:SourceAccount": accountId },
          // An app's role serves the app and each of its branches; a branch's role that branch only.
          ArnLike: { "aws:SourceArn": target.branch ? target.arn : [target.arn, `${target.arn}/branches/*`] },
        },
      },
    ],
  };
}

export function desiredComputeRole(o: {
  name: string;
  target: ComputeTarget;
  accountId: string;
  managedPolicies: string[];
  inlinePolicies: Record<string, PolicyDocumentShape>;
  tags: Tag[];
}): DesiredRole {
  const where = o.target.branch ? `branch ${o.target.branch} of ${o.target.appName}` : o.target.appName;
  return {
    name: o.name,
    path: "/",
    trustPolicy: computeTrust(o.target, o.accountId),
    description: `Amplify SSR compute role of ${where} (rolectl amplify-compute-role)`.slice(0, 1000),
    managedPolicies: o.managedPolicies,
    inlinePolicies: o.inlinePolicies,
    tags: o.tags,
  };
}

/** The app's (or branch's) half of the plan: nothing when it already uses the role. */
export function computeRoleStep(
  amplify: () => Promise<Amplify>,
  target: ComputeTarget,
  roleArn: string,
): Step | undefined {
  if (target.computeRoleArn === roleArn) return undefined;
  const where = target.branch
    ? `branch ${target.branch} of Amplify app ${target.appName} (${target.appId})`
    : `Amplify app ${target.appName} (${target.appId})`;
  return {
    description: `set the SSR compute role of ${where} to ${roleArn}`,
    operation: target.branch ? "amplify:UpdateBranch" : "amplify:UpdateApp",
    target: target.arn,
    run: async () => {
      const client = await amplify();
      await (target.branch
        ? client.send(
            new UpdateBranchCommand({
              appId: target.appId,
              branchName: target.branch,
              computeRoleArn: roleArn,
            }),
          )
        : client.send(new UpdateAppCommand({ appId: target.appId, computeRoleArn: roleArn })));
    },
  };
}
