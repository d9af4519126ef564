import { describe, expect, it } from "vitest";
import { RolectlError } from "../../src/shared/errors.js";
import {
  normaliseServicePrincipal,
  parseDuration,
  parseMaxSessionDuration,
  parsePolicyDocument,
  parseRoleArn,
  parseTag,
  validateAccountId,
  validateAmplifyAppId,
  validateDescription,
  validateExternalId,
  validateMfaCode,
  validateMfaSerial,
  validatePath,
  validatePolicyArn,
  validatePolicyName,
  validateRoleName,
  validateSessionName,
  validateUserName,
} from "../../src/shared/validate.js";

type Check = (value: string) => unknown;

const cases: Array<[string, Check, string[], string[]]> = [
  [
    "role name",
    validateRoleName,
    ["BizCorpRole", "a", "x".repeat(64), "my+role=,.@_-"],
    ["", "x".repeat(65), "has space", "slash/name", "ünïcode", "semi;colon"],
  ],
  ["user name", validateUserName, ["devcorpuser"], ["dev user", ""]],
  ["policy name", validatePolicyName, ["p".repeat(128)], ["p".repeat(129), "a*b"]],
  [
    "path",
    validatePath,
    ["/", "/team/", "/a/b/c/"],
    ["team", "/team", "//x", "/sp ace/", `/${"x".repeat(512)}/`],
  ],
  [
    "account id",
    validateAccountId,
    ["123456789012", "000000000000"],
    ["12345678901", "1234567890123", "12345678901a", ""],
  ],
  [
    "role ARN",
    parseRoleArn,
    [
      "arn:aws:iam::123456789012:role/BizCorpRole",
      "arn:aws-cn:iam::123456789012:role/x",
      "arn:aws-us-gov:iam::123456789012:role/path/to/Role",
      "arn:aws:iam::123456789012:role/aws-service-role/connect.amazonaws.com/AWSServiceRoleForAmazonConnect_x",
    ],
    [
      "arn:aws:iam::12345678901:role/x",
      "arn:aws:iam::123456789012:user/x",
      "arn:aws:s3:::bucket",
      "arn:aws-xx:iam::123456789012:role/x",
      "BizCorpRole",
      "arn:aws:iam::123456789012:role/",
    ],
  ],
  [
    "policy ARN",
    validatePolicyArn,
    ["arn:aws:iam::aws:policy/AdministratorAccess-Amplify", "arn:aws:iam::123456789012:policy/team/p"],
    ["arn:aws:iam::aws:role/x", "AdministratorAccess"],
  ],
  [
    "MFA serial",
    validateMfaSerial,
    ["arn:aws:iam::123456789012:mfa/devcorpuser", "GAHT12345678"],
    ["arn:aws:iam::1234:mfa/x", "short", "arn:aws:iam::123456789012:role/x"],
  ],
  ["MFA code", validateMfaCode, ["123456", "000000"], ["12345", "1234567", "12345a", ""]],
  [
    "session name",
    validateSessionName,
    ["ab", "rolectl-dev-1700000000", "x".repeat(64)],
    ["a", "x".repeat(65), "has space"],
  ],
  [
    "external id",
    validateExternalId,
    ["Ext-1234567890", "ab", "a:b/c=d+e,f.g@h_i-j", "x".repeat(1224)],
    ["a", "x".repeat(1225), 'quote"d', "spa ce", "semi;"],
  ],
  [
    "duration",
    (v) => parseDuration(v),
    ["900", "3600", "43200", "15m", "1h", "12h"],
    ["899", "43201", "1.5h", "-1", "abc", ""],
  ],
  ["max session duration", (v) => parseMaxSessionDuration(v), ["3600", "12h"], ["900", "43201"]],
  [
    "description",
    validateDescription,
    ["Role for Amplify", "d".repeat(1000)],
    ["", "d".repeat(1001), "emoji 🙂"],
  ],
  [
    "service",
    normaliseServicePrincipal,
    ["connect", "connect.amazonaws.com", "elasticmapreduce.amazonaws.com.cn"],
    ["Connect!", "example.com", ""],
  ],
  ["Amplify app id", validateAmplifyAppId, ["d1a2b3c4d5e6f7"], ["a123", "D123", "d"]],
  [
    "tag",
    parseTag,
    ["team=platform", "empty=", "k=v=w"],
    ["novalue", "=v", "aws:x=1", `k=${"v".repeat(257)}`],
  ],
];

describe.each(cases)("%s", (what, check, good, bad) => {
  it.each(good.map((v) => [v]))("accepts %s", (value) => {
    expect(() => check(value)).not.toThrow();
  });
  it.each(bad.map((v) => [v]))("rejects %s with a usage error naming the rule", (value) => {
    let error: unknown;
    try {
      check(value);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(RolectlError);
    const e = error as RolectlError;
    expect(e.exitCode).toBe(2);
    expect(e.message.toLowerCase()).toContain(
      what === "max session duration" ? "max session duration" : what.toLowerCase(),
    );
    expect(e.message).toMatch(/must|may|only/);
  });
});

describe("specifics", () => {
  it("parses a role ARN into its parts", () => {
    expect(parseRoleArn("arn:aws:iam::123456789012:role/team/Deploy")).toEqual({
      partition: "aws",
      accountId: "123456789012",
      path: "/team/",
      name: "Deploy",
      arn: "arn:aws:iam::123456789012:role/team/Deploy",
    });
  });

  it("never repeats an MFA code in its message", () => {
    expect(() => validateMfaCode("98765")).toThrow(/6 digits/);
    try {
      validateMfaCode("98765");
    } catch (err) {
      expect((err as Error).message).not.toContain("98765");
    }
  });

  it("names where a value came from", () => {
    expect(() => validateAccountId("42", "--trust-account")).toThrow(
      /"42" \(--trust-account\): must be exactly 12 digits/,
    );
  });

  it("shortens huge values in messages", () => {
    try {
      validateRoleName("x".repeat(10_000));
    } catch (err) {
      expect((err as Error).message.length).toBeLessThan(300);
      expect((err as Error).message).toContain("10000 chars");
    }
  });

  it("converts duration units", () => {
    expect(parseDuration("15m")).toBe(900);
    expect(parseDuration("2h")).toBe(7200);
  });

  it("expands a short service name", () => {
    expect(normaliseServicePrincipal("connect")).toBe("connect.amazonaws.com");
  });

  describe("policy documents", () => {
    const ok =
      '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}';
    it("accepts a policy (and a single statement object, and a BOM)", () => {
      expect(parsePolicyDocument(ok, "p.json").Statement).toHaveLength(1);
      expect(parsePolicyDocument(`\uFEFF${ok}`, "p.json")).toBeTruthy();
      expect(parsePolicyDocument('{"Statement":{"Effect":"Deny","NotAction":"*"}}', "p.json")).toBeTruthy();
    });
    it.each([
      ["not json", "{", /not valid JSON/],
      ["an array", "[]", /top level must be a JSON object/],
      ["no statement", '{"Version":"2012-10-17"}', /needs a Statement/],
      ["bad effect", '{"Statement":[{"Effect":"Maybe","Action":"*"}]}', /Effect/],
      ["no action", '{"Statement":[{"Effect":"Allow"}]}', /Action or NotAction/],
      ["bad version", '{"Version":"2020-01-01","Statement":[{"Effect":"Allow","Action":"*"}]}', /Version/],
    ])("rejects %s", (_name, text, message) => {
      expect(() => parsePolicyDocument(text, "p.json")).toThrow(message);
    });
    it("enforces the size limit without whitespace", () => {
      const big = JSON.stringify({
        Version: "2012-10-17",
        Statement: [
          { Effect: "Allow", Action: Array.from({ length: 300 }, (_, i) => `s3:Action${i}`), Resource: "*" },
        ],
      });
      expect(() => parsePolicyDocument(big, "big.json", 2048)).toThrow(/IAM allows at most 2048/);
    });
  });
});
