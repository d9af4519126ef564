import type { PolicyDocumentShape, PolicyStatementShape } from "./document.js";

// Trust policies for the kinds of role the IAM console offers (seed 002, AWS-FACTS.md).

const doc = (statement: PolicyStatementShape): PolicyDocumentShape => ({
  Version: "2012-10-17",
  Statement: [statement],
});

/** One value as a string, several as a list (IAM's own shape). */
const oneOrMany = (values: string[]): string | string[] =>
  values.length === 1 ? (values[0] as string) : values;

export function serviceTrust(services: string | string[]): PolicyDocumentShape {
  const list = typeof services === "string" ? [services] : services;
  return doc({ Effect: "Allow", Principal: { Service: oneOrMany(list) }, Action: "sts:AssumeRole" });
}

export interface AccountTrustOptions {
  /** One account, or several (each one's root may assume the role). */
  accountId: string | string[];
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
    Principal: {
      AWS: oneOrMany(
        (typeof o.accountId === "string" ? [o.accountId] : o.accountId).map(
          (id) => `arn:${o.partition ?? "aws"}:iam::${id}:root`,
        ),
      ),
    },
    Action: "sts:AssumeRole",
    ...(Object.keys(condition).length ? { Condition: condition } : {}),
  });
}

/** Providers whose tokens any of their users can mint: without a subject, anyone is trusted. */
const SHARED_PROVIDERS = ["token.actions.githubusercontent.com", "gitlab.com", "app.terraform.io"];

/** Whether anyone can get tokens from this provider (GitHub Enterprise adds its slug after the host). */
export const isSharedProvider = (host: string): boolean =>
  SHARED_PROVIDERS.some((p) => host === p || host.startsWith(`${p}/`));

/**
 * A subject pattern that names no owner: only wildcards ("*"), or a claim whose owner part is one
 * ("repo:*", "project_path:*"). Under StringLike it matches every repository of the provider.
 */
export const subjectMatchesAnyOwner = (subject: string): boolean =>
  /^[*?]+$/.test(subject) || /^[\w-]+:[^/:]*[*?]/.test(subject);

/** The host part of an OIDC provider ARN (…:oidc-provider/token.actions.githubusercontent.com). */
export const oidcHost = (providerArn: string): string =>
  providerArn.slice(providerArn.indexOf("oidc-provider/") + "oidc-provider/".length);

export function webIdentityTrust(
  providerArn: string,
  audience: string,
  subjects: string | string[] = [],
): PolicyDocumentShape {
  const host = oidcHost(providerArn);
  const list = typeof subjects === "string" ? [subjects] : subjects;
  const condition: Record<string, Record<string, string | string[]>> = {
    StringEquals: { [`${host}:aud`]: audience },
  };
  if (list.length) {
    // A wildcard subject (repo:org/repo:*) needs StringLike; exact ones StringEquals. Several
    // subjects are one list under one operator (operators are ANDed; values in a list ORed).
    const operator = list.some((sub) => /[*?]/.test(sub)) ? "StringLike" : "StringEquals";
    condition[operator] = { ...condition[operator], [`${host}:sub`]: oneOrMany(list) };
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
              // Every region: the role is global, and apps in any region deploy with it.
              "aws:SourceArn": `arn:${o.partition ?? "aws"}:amplify:*:${o.accountId}:apps/*`,
            },
          },
        }
      : {}),
  });
}
