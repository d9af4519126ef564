import { amplifyCliPolicy } from "../policies/amplify-cli.js";
import { accountTrust } from "../policies/trust.js";
import type { DesiredRole } from "../roles/role-state.js";
import type { TrustingInput } from "./inputs.js";

// Biz Corp's side of seed 001 (part 1): the role trusting the other account's root, with the
// external id and MFA conditions, and its permissions.

export function desiredTrustingRole(
  t: TrustingInput,
  trustedAccount: string,
  partition: string,
): DesiredRole {
  return {
    name: t.roleName,
    path: "/",
    trustPolicy: accountTrust({
      accountId: trustedAccount,
      partition,
      ...(t.externalId ? { externalId: t.externalId } : {}),
      requireMfa: t.requireMfa,
    }),
    description: `Cross-account access for account ${trustedAccount} (rolectl cross-account)`,
    ...(t.maxSessionDuration ? { maxSessionDuration: t.maxSessionDuration } : {}),
    managedPolicies: t.policyArns,
    inlinePolicies: t.amplifyCli ? { "amplify-cli": amplifyCliPolicy() } : {},
    tags: [],
  };
}
