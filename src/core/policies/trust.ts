import type { PolicyDocumentShape, PolicyStatementShape } from "./document.js";

// Trust policies for the kinds of role the IAM console offers (seed 002, AWS-FACTS.md).

const doc = (statement: PolicyStatementShape): PolicyDocumentShape => ({
  Version: "2012-10-17",
  Statement: [statement],
});

export function serviceTrust(service: string): PolicyDocumentShape {
  return doc({ Effect: "Allow", Principal: { Service: service }, Action: "sts:AssumeRole" });
}

export interface AccountTrustOptions {
  accountId: string;
  partition?: string;
  externalId?: string;
  requireMfa?: boolean;
}

export function accountTrust(o: AccountTrustOptions): PolicyDocumentShape {
  const condition: Record<string, Record<string, string>> = {};
  if (o.externalId) condition.StringEquals = { "sts:ExternalId": o.externalId };
  if (o.requireMfa) condition.Bool = { "aws:MultiFactorAuthPresent": "true" };
  return doc({
    Effect: "Allow",
    Principal: { AWS: `arn:${o.partition ?? "aws"}:iam::${o.accountId}:root` },
    Action: "sts:AssumeRole",
    ...(Object.keys(condition).length ? { Condition: condition } : {}),
  });
}

/** The host part of an OIDC provider ARN (…:oidc-provider/token.actions.githubusercontent.com). */
export const oidcHost = (providerArn: string): string =>
  providerArn.slice(providerArn.indexOf("oidc-provider/") + "oidc-provider/".length);

export function webIdentityTrust(
  providerArn: string,
  audience: string,
  subject?: string,
): PolicyDocumentShape {
  const host = oidcHost(providerArn);
  const condition: Record<string, Record<string, string>> = { StringEquals: { [`${host}:aud`]: audience } };
  if (subject !== undefined) {
    // A wildcard subject (repo:org/repo:*) needs StringLike; an exact one StringEquals.
    const operator = /[*?]/.test(subject) ? "StringLike" : "StringEquals";
    condition[operator] = { ...condition[operator], [`${host}:sub`]: subject };
  }
  return doc({
    Effect: "Allow",
    Principal: { Federated: providerArn },
    Action: "sts:AssumeRoleWithWebIdentity",
    Condition: condition,
  });
}

export function samlTrust(providerArn: string): PolicyDocumentShape {
  return doc({
    Effect: "Allow",
    Principal: { Federated: providerArn },
    Action: "sts:AssumeRoleWithSAML",
    Condition: { StringEquals: { "SAML:aud": "https://signin.aws.amazon.com/saml" } },
  });
}

export interface AmplifyTrustOptions {
  accountId: string;
  region: string;
  partition?: string;
  /** The confused-deputy guard; on unless --no-source-conditions. */
  sourceConditions: boolean;
}

export function amplifyServiceTrust(o: AmplifyTrustOptions): PolicyDocumentShape {
  return doc({
    Effect: "Allow",
    Principal: { Service: "amplify.amazonaws.com" },
    Action: "sts:AssumeRole",
    ...(o.sourceConditions
      ? {
          Condition: {
            StringEquals: { "aws:SourceAccount": o.accountId },
            ArnLike: {
              "aws:SourceArn": `arn:${o.partition ?? "aws"}:amplify:${o.region}:${o.accountId}:apps/*`,
            },
          },
        }
      : {}),
  });
}
