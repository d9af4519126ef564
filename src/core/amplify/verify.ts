import type { AmplifyClient } from "@aws-sdk/client-amplify";
import { RolectlError } from "../../shared/errors.js";
import { type Iam, readRole } from "../roles/role-state.js";
import { passed, type Verdict } from "../verdict.js";
import { getAmplifyApp } from "./service-role.js";

/** `amplify-service-role --verify`: reads the role (and app) back and checks they are as planned. */
export async function verifyAmplifyServiceRole(
  clients: { iam: Iam; amplify?: () => Promise<Pick<AmplifyClient, "send">> },
  o: { name: string; policyArn: string; appId?: string; arn: string },
): Promise<Verdict> {
  const role = await readRole(clients.iam, o.name, false);
  const proved: string[] = [];
  if (!role?.trustPolicy || !JSON.stringify(role.trustPolicy).includes("amplify.amazonaws.com"))
    throw new RolectlError(
      "verify_mismatch",
      `Role ${o.name} does not trust amplify.amazonaws.com after the change.`,
    );
  proved.push("the role trusts amplify.amazonaws.com");
  if (!role.managedPolicies.includes(o.policyArn))
    throw new RolectlError("verify_mismatch", `${o.policyArn} is not attached to ${o.name}.`);
  proved.push(`${o.policyArn} is attached`);
  if (o.appId && clients.amplify) {
    const app = await getAmplifyApp(await clients.amplify(), o.appId);
    if (app.iamServiceRoleArn !== o.arn)
      throw new RolectlError("verify_mismatch", `App ${o.appId} does not use ${o.arn}.`);
    proved.push(`app ${app.name} uses the role`);
  }
  return passed(`role ${o.name} is as planned`, proved);
}
