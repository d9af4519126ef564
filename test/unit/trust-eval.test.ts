import { describe, expect, it } from "vitest";
import { accountTrust } from "../../src/core/policies/trust.js";
import { conditionFailure, evaluateTrust, principalMatches } from "../../src/core/policies/trust-eval.js";

// The offline trust-policy evaluator (issue 19): principals in all their forms, condition
// operators with IfExists and the set operators, Deny over Allow.

const DEV = "222222222222";
const USER = `arn:aws:iam::${DEV}:user/devcorpuser`;
const SESSION = `arn:aws:sts::${DEV}:assumed-role/Deployer/ci-run`;

describe("principalMatches", () => {
  it.each([
    ["*", USER, true],
    [{ AWS: "*" }, USER, true],
    [{ AWS: DEV }, USER, true],
    [{ AWS: `arn:aws:iam::${DEV}:root` }, SESSION, true],
    [{ AWS: USER }, USER, true],
    [{ AWS: `arn:aws:iam::${DEV}:role/Deployer` }, SESSION, true],
    [{ AWS: `arn:aws:iam::${DEV}:role/team/Deployer` }, SESSION, true],
    [{ AWS: `arn:aws:iam::${DEV}:role/Other` }, SESSION, false],
    [{ AWS: "333333333333" }, USER, false],
    [{ AWS: `arn:aws:iam::${DEV}:user/someone-else` }, USER, false],
    [{ Service: "lambda.amazonaws.com" }, USER, false],
  ] as const)("%j names %s: %s", (principal, caller, expected) => {
    expect(principalMatches(principal as never, caller)).toBe(expected);
  });
});

describe("conditionFailure", () => {
  const ctx = {
    "sts:ExternalId": "Ext-1",
    "aws:MultiFactorAuthPresent": "true",
    "aws:MultiFactorAuthAge": "120",
  };
  it.each([
    [{ StringEquals: { "sts:ExternalId": "Ext-1" } }, ctx, undefined],
    [{ StringEquals: { "sts:externalid": "Ext-1" } }, ctx, undefined], // keys ignore case
    [{ StringEquals: { "sts:ExternalId": "Ext-2" } }, ctx, /is "Ext-1", not StringEquals "Ext-2"/],
    [{ StringEquals: { "sts:ExternalId": "Ext-1" } }, {}, /sts:ExternalId is not in the request/],
    [{ StringEqualsIfExists: { "sts:ExternalId": "Ext-1" } }, {}, undefined],
    [{ Bool: { "aws:MultiFactorAuthPresent": "true" } }, ctx, undefined],
    [{ Bool: { "aws:MultiFactorAuthPresent": "true" } }, {}, /not in the request/],
    [{ NumericLessThan: { "aws:MultiFactorAuthAge": "3600" } }, ctx, undefined],
    [{ NumericLessThan: { "aws:MultiFactorAuthAge": "60" } }, ctx, /is "120", not NumericLessThan "60"/],
    [{ StringLike: { "x:sub": "repo:org/*" } }, { "x:sub": "repo:org/app:ref:main" }, undefined],
    [{ StringLike: { "x:sub": ["repo:a/*", "repo:b/*"] } }, { "x:sub": "repo:c/x" }, /not StringLike/],
    [{ StringNotEquals: { "aws:PrincipalTag/team": "ops" } }, {}, undefined],
    [{ "ForAllValues:StringEquals": { "sts:ExternalId": "x" } }, {}, undefined], // the trap: holds when absent
    [{ "ForAnyValue:StringEquals": { "aws:TagKeys": ["a", "b"] } }, { "aws:TagKeys": ["c", "b"] }, undefined],
    [
      { "ForAllValues:StringEquals": { "aws:TagKeys": ["a", "b"] } },
      { "aws:TagKeys": ["a", "c"] },
      /not ForAllValues/,
    ],
    [{ Null: { "sts:ExternalId": "false" } }, ctx, undefined],
    [{ Null: { "sts:ExternalId": "false" } }, {}, /absent/],
    [
      { ArnLike: { "aws:SourceArn": "arn:aws:amplify:*:1:apps/*" } },
      { "aws:SourceArn": "arn:aws:amplify:eu-west-1:1:apps/d1" },
      undefined,
    ],
  ] as const)("%j with %j", (condition, context, failure) => {
    const got = conditionFailure(condition as never, context as never);
    if (failure === undefined) expect(got).toBeUndefined();
    else expect(got).toMatch(failure);
  });
});

describe("evaluateTrust", () => {
  const trust = accountTrust({ accountId: DEV, externalId: "Ext-1", requireMfa: true });
  const req = (context: Record<string, string>) => ({
    principalArn: USER,
    action: "sts:AssumeRole",
    context,
  });

  it("allows the request the trust was written for, and says which condition another one misses", () => {
    expect(
      evaluateTrust(trust, req({ "sts:ExternalId": "Ext-1", "aws:MultiFactorAuthPresent": "true" })),
    ).toEqual({
      allowed: true,
      reasons: [],
    });
    expect(
      evaluateTrust(trust, req({ "sts:ExternalId": "Ext-2", "aws:MultiFactorAuthPresent": "true" }))
        .reasons[0],
    ).toMatch(/sts:ExternalId is "Ext-2"/);
    expect(evaluateTrust(trust, req({ "sts:ExternalId": "Ext-1" })).reasons[0]).toMatch(
      /aws:MultiFactorAuthPresent is not in the request/,
    );
    expect(
      evaluateTrust(trust, {
        ...req({ "sts:ExternalId": "Ext-1", "aws:MultiFactorAuthPresent": "true" }),
        principalArn: "arn:aws:iam::333333333333:user/x",
      }).reasons[0],
    ).toMatch(/does not name arn:aws:iam::333333333333:user\/x/);
  });

  it("an explicit Deny wins; an action wildcard matches; no statement at all is a no", () => {
    const doc = {
      Statement: [
        { Effect: "Allow", Principal: { AWS: DEV }, Action: "sts:*" },
        { Effect: "Deny", Principal: { AWS: USER }, Action: "sts:AssumeRole" },
      ],
    };
    expect(evaluateTrust(doc, req({}))).toEqual({ allowed: false, reasons: ["statement 2 denies it"] });
    expect(evaluateTrust({ Statement: [doc.Statement[0] as never] }, req({})).allowed).toBe(true);
    expect(evaluateTrust({ Statement: [] }, req({}))).toEqual({
      allowed: false,
      reasons: ["no statement allows it"],
    });
  });
});

describe("what the evaluator cannot decide, and which reason it gives first (from review)", () => {
  it("ForAnyValue with a negated operator fails on a missing key; an unknown operator is not judged", () => {
    expect(conditionFailure({ "ForAnyValue:StringNotEquals": { "aws:TagKeys": "x" } } as never, {})).toMatch(
      /not in the request/,
    );
    expect(conditionFailure({ IpAddress: { "aws:SourceIp": "10.0.0.0/8" } } as never, {})).toBeUndefined();
  });

  it("with knownKeys, a condition on a key the caller cannot know is left out, not failed", () => {
    const cond = { StringEquals: { "aws:PrincipalOrgID": "o-x", "sts:ExternalId": "e" } };
    expect(conditionFailure(cond as never, { "sts:ExternalId": "e" }, ["sts:ExternalId"])).toBeUndefined();
    expect(conditionFailure(cond as never, {}, ["sts:ExternalId"])).toMatch(
      /sts:ExternalId is not in the request/,
    );
  });

  it("the reason from a statement naming the caller comes before one for someone else", () => {
    const doc = {
      Statement: [
        { Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" },
        {
          Effect: "Allow",
          Principal: { AWS: DEV },
          Action: "sts:AssumeRole",
          Condition: { StringEquals: { "sts:ExternalId": "a" } },
        },
      ],
    };
    const d = evaluateTrust(doc as never, {
      principalArn: USER,
      action: "sts:AssumeRole",
      context: { "sts:ExternalId": "b" },
    });
    expect(d.reasons[0]).toMatch(/^statement 2: sts:ExternalId is "b"/);
  });
});
