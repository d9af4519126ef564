import { amplifyCliPolicy } from "../policies/amplify-cli.js";
import { type PolicyDocumentShape, statementsOf } from "../policies/document.js";
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

/** The sts:ExternalId a trust policy demands, if any: a generated id is read back, not made anew. */
export function externalIdIn(doc: PolicyDocumentShape | undefined): string | undefined {
  for (const st of statementsOf(doc)) {
    const equals = (st.Condition as Record<string, Record<string, unknown>> | undefined)?.StringEquals;
    const id = equals?.["sts:ExternalId"];
    if (typeof id === "string") return id;
  }
  return undefined;
}
