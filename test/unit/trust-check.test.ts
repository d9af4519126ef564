import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { readInlinePolicies, readPolicy } from "../../src/core/policies/read-policy.js";
import { subjectMatchesAnyOwner } from "../../src/core/policies/trust.js";
import { checkTrustPolicy } from "../../src/core/policies/trust-check.js";
import { RolectlError } from "../../src/shared/errors.js";
import { MAX_JSON_DEPTH, scanJson } from "../../src/shared/json-scan.js";
import { parsePolicyDocument } from "../../src/shared/validate.js";

// Issue 13: what a policy file may hold before rolectl believes it (keys once, bounded nesting),
// and what a trust policy may say (principals, sts actions, no resources, no "*" by accident).

/** The usage error (exit 2) a call throws, so that a test can check its message. */
function refusal(fn: () => unknown): RolectlError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(RolectlError);
    expect((err as RolectlError).exitCode).toBe(2);
    return err as RolectlError;
  }
  throw new Error("expected a refusal");
}

async function asyncRefusal(p: Promise<unknown>): Promise<RolectlError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(RolectlError);
  expect((err as RolectlError).exitCode).toBe(2);
  return err as RolectlError;
}

describe("scanJson", () => {
  it("accepts ordinary JSON, the same key in sibling objects, and brackets and quotes inside strings", () => {
    expect(() =>
      scanJson(
        '{"Statement":[{"Effect":"Allow","Sid":"a{[\\"]}"},{"Effect":"Deny","Sid":"}}]]"}],"Version":"2012-10-17"}',
        "p.json",
      ),
    ).not.toThrow();
    expect(() => scanJson('{"a":{"a":{"a":1}}}', "p.json")).not.toThrow();
  });

  it.each([
    ["at the top", '{"Version":"2012-10-17","Version":"2008-10-17"}', "Version", 1],
    [
      "in a statement (Deny then Allow)",
      '{"Statement":[{\n"Effect":"Deny",\n"Effect":"Allow"}]}',
      "Effect",
      3,
    ],
    ["spelled with an escape", '{"Effect":"Deny","\\u0045ffect":"Allow"}', "Effect", 1],
    [
      "in a condition",
      '{"Condition":{"StringEquals":{"sts:ExternalId":"a","sts:ExternalId":"b"}}}',
      "sts:ExternalId",
      1,
    ],
  ])("refuses a duplicate key %s, naming it and its line", (_label, text, key, line) => {
    const err = refusal(() => scanJson(text, "p.json"));
    expect(err.message).toContain(`"${key}"`);
    expect(err.message).toContain(`line ${line}`);
    expect(err.message).toContain("p.json");
  });

  it(`allows ${MAX_JSON_DEPTH} levels of nesting and refuses one more`, () => {
    const nest = (n: number) => `${"[".repeat(n)}${"]".repeat(n)}`;
    expect(() => scanJson(nest(MAX_JSON_DEPTH), "p.json")).not.toThrow();
    expect(refusal(() => scanJson(nest(MAX_JSON_DEPTH + 1), "p.json")).message).toMatch(
      /nested more than 64 levels/,
    );
  });

  it("refuses 300,000 nested arrays inside a statement with a usage error, not a stack overflow", () => {
    const deep = `{"Statement":[{"Effect":"Allow","Action":"*","x":${"[".repeat(300_000)}${"]".repeat(300_000)}}]}`;
    expect(refusal(() => parsePolicyDocument(deep, "deep.json")).message).toMatch(/nested more than 64/);
  });

  it("parsePolicyDocument refuses duplicate keys that JSON.parse would silently merge", () => {
    const text = '{"Statement":[{"Effect":"Deny","Effect":"Allow","Action":"s3:*","Resource":"*"}]}';
    expect(refusal(() => parsePolicyDocument(text, "p.json")).message).toMatch(/"Effect" twice/);
  });
});

describe("checkTrustPolicy", () => {
  const check = (statement: unknown, o: { allowAnyPrincipal?: boolean } = {}) =>
    checkTrustPolicy({ Version: "2012-10-17", Statement: [statement as never] }, "trust.json", o);
  const allow = (extra: Record<string, unknown>) => ({ Effect: "Allow", Action: "sts:AssumeRole", ...extra });

  it.each([
    ["a service", allow({ Principal: { Service: "ec2.amazonaws.com" } })],
    ["a China service", allow({ Principal: { Service: ["ec2.amazonaws.com.cn"] } })],
    ["an account id", allow({ Principal: { AWS: "123456789012" } })],
    ["an account root", allow({ Principal: { AWS: "arn:aws:iam::123456789012:root" } })],
    ["a user with a path", allow({ Principal: { AWS: "arn:aws-us-gov:iam::123456789012:user/ops/alice" } })],
    ["a role", allow({ Principal: { AWS: ["arn:aws:iam::123456789012:role/Deployer"] } })],
    [
      "a role in an isolated partition",
      allow({ Principal: { AWS: "arn:aws-iso-b:iam::123456789012:role/R" } }),
    ],
    ["a federated user", allow({ Principal: { AWS: "arn:aws:sts::123456789012:federated-user/bob" } })],
    [
      "an assumed-role session",
      allow({ Principal: { AWS: "arn:aws:sts::123456789012:assumed-role/R/session" } }),
    ],
    [
      "an OIDC provider",
      {
        Effect: "Allow",
        Action: ["sts:AssumeRoleWithWebIdentity", "sts:TagSession"],
        Principal: {
          Federated: "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com",
        },
      },
    ],
    [
      "a SAML provider",
      {
        Effect: "Allow",
        Action: "sts:AssumeRoleWithSAML",
        Principal: { Federated: "arn:aws:iam::123456789012:saml-provider/Okta" },
      },
    ],
    [
      "Cognito",
      {
        Effect: "Allow",
        Action: "sts:AssumeRoleWithWebIdentity",
        Principal: { Federated: "cognito-identity.amazonaws.com" },
      },
    ],
    ["an sts wildcard", allow({ Action: "sts:Assume*", Principal: { Service: "ec2.amazonaws.com" } })],
    ["sts:*", allow({ Action: "STS:*", Principal: { Service: "ec2.amazonaws.com" } })],
    ["a Deny for everyone", { Effect: "Deny", Action: "sts:AssumeRole", Principal: "*" }],
    ["a Deny with NotPrincipal", { Effect: "Deny", Action: "sts:*", NotPrincipal: { AWS: "123456789012" } }],
  ])("accepts %s", (_label, statement) => {
    expect(() => check(statement)).not.toThrow();
  });

  it.each([
    ["no Principal", allow({}), /needs a Principal/],
    ["NotPrincipal in an Allow", allow({ NotPrincipal: { AWS: "123456789012" } }), /NotPrincipal/],
    [
      "an Action that is a number",
      allow({ Action: 42, Principal: { Service: "ec2.amazonaws.com" } }),
      /Action/,
    ],
    ["an empty Action list", allow({ Action: [], Principal: { Service: "ec2.amazonaws.com" } }), /Action/],
    [
      "an s3 action",
      allow({ Action: "s3:GetObject", Principal: { Service: "ec2.amazonaws.com" } }),
      /"s3:GetObject".*sts/,
    ],
    ["Action *", allow({ Action: "*", Principal: { Service: "ec2.amazonaws.com" } }), /"\*".*sts/],
    [
      "an sts wildcard that matches no trust action",
      allow({ Action: "sts:Get*", Principal: { Service: "ec2.amazonaws.com" } }),
      /sts:Get\*/,
    ],
    ["NotAction in an Allow", { Effect: "Allow", NotAction: "sts:TagSession", Principal: "*" }, /NotAction/],
    ["a Resource", allow({ Principal: { Service: "ec2.amazonaws.com" }, Resource: "*" }), /Resource/],
    [
      "a NotResource",
      allow({ Principal: { Service: "ec2.amazonaws.com" }, NotResource: "*" }),
      /NotResource/,
    ],
    ["AWS not an ARN", allow({ Principal: { AWS: "not-an-arn" } }), /"not-an-arn"/],
    ["AWS an 11-digit account", allow({ Principal: { AWS: "12345678901" } }), /12-digit/],
    ["AWS a policy ARN", allow({ Principal: { AWS: "arn:aws:iam::123456789012:policy/P" } }), /root/],
    ["AWS an ARN with *", allow({ Principal: { AWS: "arn:aws:iam::*:root" } }), /wildcard/],
    ["AWS a role ARN with *", allow({ Principal: { AWS: "arn:aws:iam::123456789012:role/*" } }), /wildcard/],
    ["AWS a number", allow({ Principal: { AWS: 123456789012 } }), /string/],
    ["Service not a service", allow({ Principal: { Service: "ec2" } }), /amazonaws\.com/],
    ["Service *", allow({ Principal: { Service: "*" } }), /amazonaws\.com/],
    ["Federated unknown host", allow({ Principal: { Federated: "evil.example.com" } }), /oidc-provider/],
    ["an unknown principal kind", allow({ Principal: { CanonicalUser: "abc" } }), /CanonicalUser/],
    ["an empty Principal", allow({ Principal: {} }), /Principal/],
    ["Principal a string other than *", allow({ Principal: "ec2.amazonaws.com" }), /Principal/],
    ["Principal *", allow({ Principal: "*" }), /--allow-any-principal/],
    ["AWS *", allow({ Principal: { AWS: "*" } }), /--allow-any-principal/],
    ["AWS * among others", allow({ Principal: { AWS: ["123456789012", "*"] } }), /--allow-any-principal/],
  ])("refuses %s", (_label, statement, message) => {
    const err = refusal(() => check(statement));
    expect(err.message).toMatch(message);
    expect(err.message).toContain("trust.json");
    expect(err.message).toContain("Statement 1");
  });

  it('"*" is accepted only with --allow-any-principal and a Condition on the statement', () => {
    const orgOnly = allow({
      Principal: { AWS: "*" },
      Condition: { StringEquals: { "aws:PrincipalOrgID": "o-abc123" } },
    });
    expect(refusal(() => check(orgOnly)).message).toMatch(/--allow-any-principal/);
    expect(() => check(orgOnly, { allowAnyPrincipal: true })).not.toThrow();
    expect(refusal(() => check(allow({ Principal: "*" }), { allowAnyPrincipal: true })).message).toMatch(
      /Condition/,
    );
    // An operator with no keys restricts nothing.
    const empty = allow({ Principal: "*", Condition: { StringEquals: {} } });
    expect(refusal(() => check(empty, { allowAnyPrincipal: true })).message).toMatch(/Condition/);
  });
});

describe("subjectMatchesAnyOwner", () => {
  it.each([
    "*",
    "**",
    "?*",
    "repo:*",
    "repo:*/*:*",
    "project_path:*",
    "repo:org*",
    "repo:org?/app:*",
  ])("%s matches any owner (or owners that merely start alike)", (s) => {
    expect(subjectMatchesAnyOwner(s)).toBe(true);
  });
  it.each([
    "repo:org/app:*",
    "repo:org/*",
    "repo:org/app:ref:refs/heads/main",
    "system:serviceaccount:ns:sa",
  ])("%s names an owner", (s) => {
    expect(subjectMatchesAnyOwner(s)).toBe(false);
  });
});

describe("policy files", () => {
  const dir = mkdtempSync(join(tmpdir(), "rolectl-trust-check-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const file = (name: string, text: string) => {
    const p = join(dir, name);
    writeFileSync(p, text);
    return p;
  };
  const policy = (actions: number) =>
    JSON.stringify({
      Version: "2012-10-17",
      Statement: [
        {
          Effect: "Allow",
          Action: Array.from({ length: actions }, (_, i) => `s3:Action${i}`),
          Resource: "*",
        },
      ],
    });

  it("a FIFO is refused at once, without waiting for a writer", async () => {
    const fifo = join(dir, "fifo");
    execFileSync("mkfifo", [fifo]);
    const started = Date.now();
    const err = await asyncRefusal(readPolicy(fifo, "--trust-policy", 2048));
    expect(err.message).toContain(fifo);
    expect(err.message).toContain("not a regular file");
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it.each([
    ["a directory", () => dir],
    ["/dev/zero", () => "/dev/zero"],
    ["/dev/null", () => "/dev/null"],
  ])("%s is refused as not a regular file", async (_label, path) => {
    const p = path();
    const err = await asyncRefusal(readPolicy(p, "--inline-policy", 10240));
    expect(err.message).toContain(p);
    expect(err.message).toContain("not a regular file");
  });

  it("a file over 1 MB is refused before it is parsed", async () => {
    const big = file("big.json", `{"a":"${"x".repeat(1_100_000)}"}`);
    expect((await asyncRefusal(readPolicy(big, "--trust-policy", 2048))).message).toMatch(/over 1 MB/);
  });

  it("inline policies: each within 10,240 but together over it are refused, naming the total", async () => {
    const a = file("a.json", policy(400));
    const b = file("b.json", policy(400));
    expect(Object.keys(await readInlinePolicies([`a=${a}`], "--inline-policy"))).toEqual(["a"]);
    const err = await asyncRefusal(readInlinePolicies([`a=${a}`, `b=${b}`], "--inline-policy"));
    expect(err.message).toMatch(/together/);
    expect(err.message).toContain("10240");
  });

  it.each([
    ["the same name twice", ["p", "p"]],
    ["names that differ only in case", ["Read", "read"]],
  ])("inline policies: %s is refused, not last-one-wins", async (_label, names) => {
    const small = file("small.json", policy(1));
    const err = await asyncRefusal(
      readInlinePolicies(
        names.map((n) => `${n}=${small}`),
        "--inline-policy",
      ),
    );
    expect(err.message).toContain(JSON.stringify(names[1]));
    expect(err.message).toMatch(/twice|same/);
  });
});
