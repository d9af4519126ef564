import { describe, expect, it } from "vitest";
import { type AuditedRole, auditRoles } from "../../src/core/audit/audit.js";
import { auditTrustPolicy } from "../../src/core/audit/trust-rules.js";
import type { PolicyDocumentShape } from "../../src/core/policies/document.js";
import {
  accountTrust,
  amplifyServiceTrust,
  serviceTrust,
  webIdentityTrust,
} from "../../src/core/policies/trust.js";

// Each trust rule: a bad case that it flags, and a good twin it leaves alone (issue 19).

const ME = "111111111111";
const THEM = "222222222222";
const GH = `arn:aws:iam::${ME}:oidc-provider/token.actions.githubusercontent.com`;
const doc = (statement: Record<string, unknown>) => ({ Version: "2012-10-17", Statement: [statement] });
const allow = (extra: Record<string, unknown>) =>
  doc({ Effect: "Allow", Action: "sts:AssumeRole", ...extra });
const web = (condition: Record<string, unknown>) =>
  doc({
    Effect: "Allow",
    Action: "sts:AssumeRoleWithWebIdentity",
    Principal: { Federated: GH },
    Condition: condition,
  });
const AUD = { "token.actions.githubusercontent.com:aud": "sts.amazonaws.com" };
const ids = (d: PolicyDocumentShape) => auditTrustPolicy(d, ME).map((f) => f.rule.id);

describe("trust rules: each bad case flagged, its good twin not", () => {
  it.each([
    [
      "RC-TRUST-001 another account without external id or MFA",
      allow({ Principal: { AWS: `arn:aws:iam::${THEM}:root` } }),
      allow({
        Principal: { AWS: `arn:aws:iam::${THEM}:root` },
        Condition: { StringEquals: { "sts:ExternalId": "x-42" } },
      }),
    ],
    [
      "RC-TRUST-002 web identity without aud",
      web({ StringLike: { "token.actions.githubusercontent.com:sub": "repo:org/app:*" } }),
      web({ StringEquals: AUD, StringLike: { "token.actions.githubusercontent.com:sub": "repo:org/app:*" } }),
    ],
    [
      "RC-TRUST-003 GitHub without sub",
      web({ StringEquals: AUD }),
      web({
        StringEquals: {
          ...AUD,
          "token.actions.githubusercontent.com:sub": "repo:org/app:ref:refs/heads/main",
        },
      }),
    ],
    [
      "RC-TRUST-004 a sub that matches every repository",
      web({ StringEquals: AUD, StringLike: { "token.actions.githubusercontent.com:sub": "repo:*" } }),
      web({ StringEquals: AUD, StringLike: { "token.actions.githubusercontent.com:sub": "repo:org/*" } }),
    ],
    [
      "RC-TRUST-005 ForAllValues on a single-valued key",
      allow({
        Principal: { AWS: `arn:aws:iam::${THEM}:root` },
        Condition: { "ForAllValues:StringEquals": { "sts:ExternalId": "x-42" } },
      }),
      allow({
        Principal: { AWS: `arn:aws:iam::${THEM}:root` },
        Condition: { StringEquals: { "sts:ExternalId": "x-42" } },
      }),
    ],
    [
      "RC-TRUST-006 Principal * without a restricting condition",
      allow({ Principal: "*" }),
      allow({ Principal: { AWS: "*" }, Condition: { StringEquals: { "aws:PrincipalOrgID": "o-abc123" } } }),
    ],
    [
      "RC-TRUST-007 a service without SourceAccount/SourceArn",
      serviceTrust("amplify.amazonaws.com"),
      amplifyServiceTrust({ accountId: ME, sourceConditions: true }),
    ],
    [
      "RC-TRUST-008 SourceAccount and SourceArn disagree",
      doc({
        Effect: "Allow",
        Action: "sts:AssumeRole",
        Principal: { Service: "amplify.amazonaws.com" },
        Condition: {
          StringEquals: { "aws:SourceAccount": ME },
          ArnLike: { "aws:SourceArn": `arn:aws:amplify:*:${THEM}:apps/*` },
        },
      }),
      amplifyServiceTrust({ accountId: ME, sourceConditions: true }),
    ],
    [
      "RC-TRUST-009 a federated principal with sts:AssumeRole",
      doc({
        Effect: "Allow",
        Action: "sts:AssumeRole",
        Principal: { Federated: GH },
        Condition: { StringEquals: AUD },
      }),
      webIdentityTrust(GH, "sts.amazonaws.com", "repo:org/app:*"),
    ],
    [
      "RC-TRUST-010 NotPrincipal with Allow",
      doc({ Effect: "Allow", Action: "sts:AssumeRole", NotPrincipal: { AWS: `arn:aws:iam::${THEM}:root` } }),
      allow({ Principal: { AWS: `arn:aws:iam::${ME}:root` } }),
    ],
  ])("%s", (label, bad, good) => {
    const id = label.slice(0, "RC-TRUST-000".length);
    expect(ids(bad)).toContain(id);
    expect(ids(good)).not.toContain(id);
  });

  it("trust policies rolectl writes raise nothing", () => {
    for (const d of [
      accountTrust({ accountId: THEM, externalId: "x-42" }),
      accountTrust({ accountId: THEM, requireMfa: true }),
      amplifyServiceTrust({ accountId: ME, sourceConditions: true }),
      webIdentityTrust(GH, "sts.amazonaws.com", ["repo:org/app:*", "repo:org/lib:ref:refs/heads/main"]),
    ])
      expect(auditTrustPolicy(d, ME)).toEqual([]);
  });

  it("the role's own account is not 'another account'; a Deny statement is not a trust", () => {
    expect(ids(allow({ Principal: { AWS: `arn:aws:iam::${ME}:role/Ops` } }))).toEqual([]);
    expect(ids(doc({ Effect: "Deny", Action: "sts:AssumeRole", Principal: "*" }))).toEqual([]);
  });
});

describe("auditRoles", () => {
  const NOW = Date.parse("2026-11-24T00:00:00Z");
  const day = 86_400_000;
  const role = (over: Partial<AuditedRole>): AuditedRole => ({
    name: "R",
    accountId: ME,
    trust: accountTrust({ accountId: ME }),
    adminPolicies: ["arn:aws:iam::aws:policy/AdministratorAccess"],
    created: new Date(NOW - 400 * day),
    ...over,
  });
  const rules = (r: AuditedRole) => auditRoles([r], { unusedDays: 90, now: NOW }).findings.map((f) => f.rule);

  it("RC-PERM-001: an administrator role unused (or never used) past --unused-days; not a new one, not a used one", () => {
    expect(rules(role({ lastUsed: null }))).toEqual(["RC-PERM-001"]);
    expect(rules(role({ lastUsed: new Date(NOW - 200 * day) }))).toEqual(["RC-PERM-001"]);
    expect(rules(role({ lastUsed: new Date(NOW - 10 * day) }))).toEqual([]);
    expect(rules(role({ lastUsed: null, created: new Date(NOW - 5 * day) }))).toEqual([]);
    expect(rules(role({ lastUsed: null, adminPolicies: [] }))).toEqual([]);
  });

  it("service-linked roles are reported apart, and findings come most severe first", () => {
    const result = auditRoles(
      [
        role({ name: "b", lastUsed: null }),
        role({
          name: "a",
          trust: { Statement: [{ Effect: "Allow", Action: "sts:AssumeRole", Principal: "*" }] },
          adminPolicies: [],
        }),
        role({
          name: "slr",
          serviceLinked: true,
          trust: serviceTrust("connect.amazonaws.com"),
          adminPolicies: [],
        }),
      ],
      { unusedDays: 90, now: NOW },
    );
    expect(result.findings.map((f) => [f.role, f.severity])).toEqual([
      ["a", "critical"],
      ["b", "medium"],
    ]);
    expect(result.serviceLinked.map((f) => f.rule)).toEqual(["RC-TRUST-007"]);
  });
});

describe("conditions that only look like they restrict (from review)", () => {
  it.each([
    [
      "StringNotEquals on aws:PrincipalOrgID",
      allow({ Principal: "*", Condition: { StringNotEquals: { "aws:PrincipalOrgID": "o-x" } } }),
      "RC-TRUST-006",
    ],
    [
      "a wildcard-only sts:ExternalId",
      allow({
        Principal: { AWS: `arn:aws:iam::${THEM}:root` },
        Condition: { StringLike: { "sts:ExternalId": "*" } },
      }),
      "RC-TRUST-001",
    ],
    [
      "BoolIfExists MFA",
      allow({
        Principal: { AWS: `arn:aws:iam::${THEM}:root` },
        Condition: { BoolIfExists: { "aws:MultiFactorAuthPresent": "true" } },
      }),
      "RC-TRUST-001",
    ],
    [
      "Bool MFA false",
      allow({
        Principal: { AWS: `arn:aws:iam::${THEM}:root` },
        Condition: { Bool: { "aws:MultiFactorAuthPresent": "false" } },
      }),
      "RC-TRUST-001",
    ],
    [
      "StringNotLike on sub",
      web({ StringEquals: AUD, StringNotLike: { "token.actions.githubusercontent.com:sub": "repo:evil/*" } }),
      "RC-TRUST-003",
    ],
  ])("%s is still flagged", (_label, d, id) => {
    expect(ids(d)).toContain(id);
  });

  it("a service principal without source conditions is only low: many services never send them", () => {
    expect(auditTrustPolicy(serviceTrust("ec2.amazonaws.com"), ME).map((f) => f.rule.severity)).toEqual([
      "low",
    ]);
  });
});
