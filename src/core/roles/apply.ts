import {
  AttachRolePolicyCommand,
  CreateRoleCommand,
  DetachRolePolicyCommand,
  GetRoleCommand,
  PutRolePermissionsBoundaryCommand,
  PutRolePolicyCommand,
  TagRoleCommand,
  UpdateAssumeRolePolicyCommand,
  UpdateRoleCommand,
} from "@aws-sdk/client-iam";
import { existsAfterRetry } from "../../aws/errors.js";
import { type Action, applySteps, type Step } from "../steps.js";
import { changeAction, type RoleChange, type RolePlan } from "./plan.js";
import type { Iam } from "./role-state.js";

export interface ApplyResult {
  arn?: string;
  applied: Action[];
}

/** The plan's changes as steps; `onArn` hears the ARN a create returns. */
export function rolePlanSteps(iam: Iam, plan: RolePlan, onArn?: (arn: string) => void): Step[] {
  return plan.changes.map((change) => ({
    ...changeAction(plan.name, change),
    run: async () => {
      const arn = await applyChange(iam, plan.name, change);
      if (arn) onArn?.(arn);
    },
  }));
}

/** Applies a plan in order; a failed step reports the steps applied before it. */
export async function applyRolePlan(
  iam: Iam,
  plan: RolePlan,
  onStep?: (description: string) => void,
): Promise<ApplyResult> {
  let arn: string | undefined;
  const applied = await applySteps(
    rolePlanSteps(iam, plan, (a) => {
      arn = a;
    }),
    onStep,
  );
  return { ...(arn ? { arn } : {}), applied };
}

async function applyChange(iam: Iam, name: string, c: RoleChange): Promise<string | undefined> {
  switch (c.kind) {
    case "create-role": {
      const r = c.role;
      const out = await iam
        .send(
          new CreateRoleCommand({
            RoleName: r.name,
            Path: r.path,
            AssumeRolePolicyDocument: JSON.stringify(r.trustPolicy),
            ...(r.description ? { Description: r.description } : {}),
            ...(r.maxSessionDuration ? { MaxSessionDuration: r.maxSessionDuration } : {}),
            ...(r.permissionsBoundary ? { PermissionsBoundary: r.permissionsBoundary } : {}),
            ...(r.tags.length ? { Tags: r.tags } : {}),
          }),
        )
        .catch(async (err: unknown) => {
          // The lost first attempt made it: read it back (the next steps bring it to the plan).
          if (!existsAfterRetry(err)) throw err;
          return iam.send(new GetRoleCommand({ RoleName: r.name }));
        });
      return out.Role?.Arn;
    }
    case "update-trust":
      await iam.send(
        new UpdateAssumeRolePolicyCommand({ RoleName: name, PolicyDocument: JSON.stringify(c.after) }),
      );
      return undefined;
    case "update-role":
      await iam.send(
        new UpdateRoleCommand({
          RoleName: name,
          ...(c.description !== undefined ? { Description: c.description } : {}),
          ...(c.maxSessionDuration !== undefined ? { MaxSessionDuration: c.maxSessionDuration } : {}),
        }),
      );
      return undefined;
    case "put-permissions-boundary":
      await iam.send(new PutRolePermissionsBoundaryCommand({ RoleName: name, PermissionsBoundary: c.arn }));
      return undefined;
    case "attach-policy":
      await iam.send(new AttachRolePolicyCommand({ RoleName: name, PolicyArn: c.arn }));
      return undefined;
    case "detach-policy":
      await iam.send(new DetachRolePolicyCommand({ RoleName: name, PolicyArn: c.arn }));
      return undefined;
    case "put-inline-policy":
      await iam.send(
        new PutRolePolicyCommand({
          RoleName: name,
          PolicyName: c.name,
          PolicyDocument: JSON.stringify(c.document),
        }),
      );
      return undefined;
    case "tag-role":
      await iam.send(new TagRoleCommand({ RoleName: name, Tags: c.tags }));
      return undefined;
  }
}
