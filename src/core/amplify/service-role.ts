import type { AmplifyClient } from "@aws-sdk/client-amplify";
import { GetAppCommand, UpdateAppCommand } from "@aws-sdk/client-amplify";
import type { Tag } from "../../shared/validate.js";
import { amplifyServiceTrust } from "../policies/trust.js";
import type { DesiredRole } from "../roles/role-state.js";
import { amplifyGen2PolicyArn, amplifyManagedPolicyArn } from "./names.js";

// The Amplify Hosting service role of seed 000, with the confused-deputy conditions.

export interface AmplifyRoleOptions {
  name: string;
  accountId: string;
  partition?: string;
  sourceConditions: boolean;
  maxSessionDuration?: number;
  tags: Tag[];
  /** Gen 2 backends: AmplifyBackendDeployFullAccess, replacing AdministratorAccess-Amplify. */
  gen2?: boolean;
}

export function desiredAmplifyServiceRole(o: AmplifyRoleOptions): DesiredRole {
  return {
    name: o.name,
    path: "/",
    trustPolicy: amplifyServiceTrust(o),
    description: "Amplify Hosting deploys backends with this role (rolectl amplify-service-role)",
    ...(o.maxSessionDuration ? { maxSessionDuration: o.maxSessionDuration } : {}),
    ...(o.gen2
      ? {
          managedPolicies: [amplifyGen2PolicyArn(o.partition)],
          replacesPolicies: [amplifyManagedPolicyArn(o.partition)],
        }
      : { managedPolicies: [amplifyManagedPolicyArn(o.partition)] }),
    inlinePolicies: {},
    tags: o.tags,
  };
}

type Amplify = Pick<AmplifyClient, "send">;

import type { Step } from "../steps.js";

export async function getAmplifyApp(
  amplify: Amplify,
  appId: string,
): Promise<{ appId: string; name: string; appArn?: string; iamServiceRoleArn?: string }> {
  const app = (await amplify.send(new GetAppCommand({ appId }))).app;
  return {
    appId,
    name: app?.name ?? appId,
    ...(app?.appArn ? { appArn: app.appArn } : {}),
    ...(app?.iamServiceRoleArn ? { iamServiceRoleArn: app.iamServiceRoleArn } : {}),
  };
}

export async function setAmplifyAppServiceRole(
  amplify: Amplify,
  appId: string,
  roleArn: string,
): Promise<void> {
  await amplify.send(new UpdateAppCommand({ appId, iamServiceRoleArn: roleArn }));
}

/** The app's half of the plan: nothing when the app already uses the role. */
export function appServiceRoleStep(
  amplify: () => Promise<Amplify>,
  app: { appId: string; name: string; appArn?: string; iamServiceRoleArn?: string },
  roleArn: string,
): Step | undefined {
  if (app.iamServiceRoleArn === roleArn) return undefined;
  return {
    description: `set the service role of Amplify app ${app.name} (${app.appId}) to ${roleArn}`,
    operation: "amplify:UpdateApp",
    target: app.appArn ?? app.appId,
    run: async () => setAmplifyAppServiceRole(await amplify(), app.appId, roleArn),
  };
}
