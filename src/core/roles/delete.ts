import {
  DeleteRoleCommand,
  DeleteRolePolicyCommand,
  DetachRolePolicyCommand,
  ListInstanceProfilesForRoleCommand,
  RemoveRoleFromInstanceProfileCommand,
} from "@aws-sdk/client-iam";
import { configError, usageError } from "../../shared/errors.js";
import { applySteps, type Step } from "../steps.js";
import { type Iam, readRole } from "./role-state.js";

/** What deleting a role takes: IAM refuses DeleteRole while anything is attached to it. */
export async function planRoleDeletion(iam: Iam, name: string): Promise<{ arn: string; steps: Step[] }> {
  const role = await readRole(iam, name, false);
  if (!role) throw configError("not_found", `Role ${name} does not exist.`);
  if (role.path.startsWith("/aws-service-role/")) {
    throw usageError("service_linked", `Role ${name} is a service-linked role.`, {
      hint: `Use \`rolectl slr delete ${name}\`: AWS deletes those through their service.`,
    });
  }
  const profiles =
    (await iam.send(new ListInstanceProfilesForRoleCommand({ RoleName: name }))).InstanceProfiles ?? [];
  const steps: Step[] = [
    ...role.managedPolicies.map((arn) => ({
      description: `detach ${arn}`,
      operation: "iam:DetachRolePolicy",
      target: name,
      run: () => iam.send(new DetachRolePolicyCommand({ RoleName: name, PolicyArn: arn })),
    })),
    ...Object.keys(role.inlinePolicies).map((policy) => ({
      description: `delete inline policy ${policy}`,
      operation: "iam:DeleteRolePolicy",
      target: name,
      run: () => iam.send(new DeleteRolePolicyCommand({ RoleName: name, PolicyName: policy })),
    })),
    ...profiles.map((p) => ({
      description: `remove from instance profile ${p.InstanceProfileName}`,
      operation: "iam:RemoveRoleFromInstanceProfile",
      target: p.InstanceProfileName ?? "",
      run: () =>
        iam.send(
          new RemoveRoleFromInstanceProfileCommand({
            RoleName: name,
            InstanceProfileName: p.InstanceProfileName,
          }),
        ),
    })),
    {
      description: `delete role ${name}`,
      operation: "iam:DeleteRole",
      target: name,
      run: () => iam.send(new DeleteRoleCommand({ RoleName: name })),
    },
  ];
  return { arn: role.arn, steps };
}

export const deleteRole = (steps: Step[], onStep?: (d: string) => void) => applySteps(steps, onStep);
