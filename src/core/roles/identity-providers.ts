import {
  type IAMClient,
  ListOpenIDConnectProvidersCommand,
  ListSAMLProvidersCommand,
} from "@aws-sdk/client-iam";

/** The ARNs of an account's OIDC or SAML identity providers (IAM returns them all in one page). */
export async function listIdentityProviders(
  iam: IAMClient,
  kind: "oidc-provider" | "saml-provider",
): Promise<string[]> {
  const list =
    kind === "oidc-provider"
      ? (await iam.send(new ListOpenIDConnectProvidersCommand({}))).OpenIDConnectProviderList
      : (await iam.send(new ListSAMLProvidersCommand({}))).SAMLProviderList;
  return (list ?? []).flatMap((p) => (p.Arn ? [p.Arn] : [])).sort();
}
