import { execFileSync } from "node:child_process";
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { GetRoleCommand, ListRolesCommand } from "@aws-sdk/client-iam";
import { beforeEach, describe, expect, it } from "vitest";
import { iamAs } from "../support/accounts.js";
import { useE2eEnv } from "../support/env.js";

// Issue 13, provisioning inputs: each value below is refused with exit 2 (3 for a policy that
// does not exist) and a message naming the value and the rule, before any AWS write; the pure
// input ones before any AWS call at all. The AWS files are left as they were.

const env = useE2eEnv({ managedPolicies: true });
const ACCOUNT = "123456789012";
const iam = () => iamAs(env.moto.url);

beforeEach(() => {
  env.sandbox.writeConfig("[default]\nregion = us-east-1\n");
});

const file = (name: string, text: string) => {
  const p = join(env.sandbox.dir, name);
  writeFileSync(p, text);
  return p;
};
const trustFile = (statement: unknown) =>
  file(
    `trust-${Math.random().toString(36).slice(2)}.json`,
    JSON.stringify({ Version: "2012-10-17", Statement: [statement] }),
  );
const allow = (extra: Record<string, unknown>) => ({ Effect: "Allow", Action: "sts:AssumeRole", ...extra });
const inlineDoc = (actions: number) =>
  JSON.stringify({
    Version: "2012-10-17",
    Statement: [
      { Effect: "Allow", Action: Array.from({ length: actions }, (_, i) => `s3:Action${i}`), Resource: "*" },
    ],
  });
const files = () => [
  readFileSync(env.sandbox.configPath, "utf8"),
  readFileSync(env.sandbox.credentialsPath, "utf8"),
];
const roleNames = async () =>
  ((await iam().send(new ListRolesCommand({}))).Roles ?? []).map((r) => r.RoleName);

/** Runs a command that must be refused before any AWS call; returns its stderr. */
async function refusedOffline(args: string[], message: RegExp | string): Promise<string> {
  const before = files();
  const r = await env.sandbox.run(args, { env: { CI: "true" }, timeoutMs: 15_000 });
  expect(r.code, r.stderr).toBe(2);
  expect(r.stderr).toMatch(/^error: /);
  if (typeof message === "string") expect(r.stderr).toContain(message);
  else expect(r.stderr).toMatch(message);
  expect(env.proxy.calls.map((c) => c.action)).toEqual([]);
  expect(files()).toEqual(before);
  return r.stderr;
}

describe("--verify-timeout", () => {
  it.each(["abc", "0", "301", "-1"])("%s is refused before any call", async (value) => {
    await refusedOffline(
      ["role", "create", "r", "--trust-account", ACCOUNT, "--verify", "--verify-timeout", value],
      `"${value}" (--verify-timeout)`,
    );
  });
});

describe("trust policy files are checked as trust policies", () => {
  it.each([
    ["a statement without a Principal", allow({}), "needs a Principal"],
    ['"Action": 42', allow({ Action: 42, Principal: { Service: "ec2.amazonaws.com" } }), "Action"],
    [
      "an s3 action",
      allow({ Action: "s3:GetObject", Principal: { Service: "ec2.amazonaws.com" } }),
      '"s3:GetObject"',
    ],
    ["a Resource", allow({ Principal: { Service: "ec2.amazonaws.com" }, Resource: "*" }), "Resource"],
    ["AWS not-an-arn", allow({ Principal: { AWS: "not-an-arn" } }), '"not-an-arn"'],
    ["a wildcard in an AWS ARN", allow({ Principal: { AWS: "arn:aws:iam::*:root" } }), "wildcard"],
    ["a service that is not one", allow({ Principal: { Service: "ec2" } }), '"ec2"'],
    [
      "an unknown federated host",
      allow({ Principal: { Federated: "evil.example.com" } }),
      '"evil.example.com"',
    ],
    ['Principal "*"', allow({ Principal: "*" }), "--allow-any-principal"],
    ['{"AWS": "*"}', allow({ Principal: { AWS: "*" } }), "--allow-any-principal"],
  ])("%s is refused before any call", async (_label, statement, message) => {
    const stderr = await refusedOffline(
      ["role", "create", "r", "--trust-policy", trustFile(statement)],
      message,
    );
    expect(stderr).toContain("(--trust-policy)");
  });

  it('"*" with --allow-any-principal still needs a Condition; with one (aws:PrincipalOrgID) the role is made', async () => {
    await refusedOffline(
      [
        "role",
        "create",
        "r",
        "--trust-policy",
        trustFile(allow({ Principal: { AWS: "*" } })),
        "--allow-any-principal",
      ],
      "Condition",
    );
    const org = trustFile(
      allow({
        Principal: { AWS: "*" },
        Condition: { StringEquals: { "aws:PrincipalOrgID": "o-abc123def4" } },
      }),
    );
    const r = await env.sandbox.run([
      "role",
      "create",
      "org-wide",
      "--trust-policy",
      org,
      "--allow-any-principal",
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect((await iam().send(new GetRoleCommand({ RoleName: "org-wide" }))).Role?.RoleName).toBe("org-wide");
  });

  it("--allow-any-principal goes with --trust-policy only", async () => {
    await refusedOffline(
      ["role", "create", "r", "--service", "lambda", "--allow-any-principal"],
      "--allow-any-principal goes with --trust-policy",
    );
  });
});

describe("policy documents: duplicate keys and nesting", () => {
  it('{"Effect":"Deny","Effect":"Allow"} is refused naming the key, not read as Allow', async () => {
    const dup = file(
      "dup.json",
      '{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Effect":"Allow","Action":"s3:*","Resource":"*"}]}',
    );
    await refusedOffline(
      ["role", "create", "r", "--service", "lambda", "--inline-policy", `p=${dup}`],
      '"Effect" twice',
    );
    const trust = file(
      "dup-trust.json",
      '{"Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com","Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}',
    );
    await refusedOffline(["role", "create", "r", "--trust-policy", trust], '"Service" twice');
  });

  it("300,000 nested arrays are a usage error, not a stack overflow", async () => {
    const deep = file(
      "deep.json",
      `{"Statement":[{"Effect":"Allow","Action":"*","x":${"[".repeat(300_000)}${"]".repeat(300_000)}}]}`,
    );
    const stderr = await refusedOffline(
      ["role", "create", "r", "--trust-policy", deep],
      "nested more than 64 levels",
    );
    expect(stderr).not.toContain("Maximum call stack");
  });
});

describe("policy files that are not regular files", () => {
  it("a FIFO as --trust-policy or --inline-policy is refused at once instead of hanging", async () => {
    const fifo = join(env.sandbox.dir, "policy.fifo");
    execFileSync("mkfifo", [fifo]);
    await refusedOffline(
      ["role", "create", "r", "--trust-policy", fifo],
      `${fifo} (--trust-policy) is not a regular file`,
    );
    await refusedOffline(
      ["role", "create", "r", "--service", "lambda", "--inline-policy", `p=${fifo}`],
      "is not a regular file",
    );
  });

  it.each([
    ["/dev/zero", () => "/dev/zero"],
    ["a directory", () => env.sandbox.dir],
  ])("%s is refused as not a regular file", async (_label, path) => {
    const p = path();
    await refusedOffline(
      ["role", "create", "r", "--trust-policy", p],
      `${p} (--trust-policy) is not a regular file`,
    );
  });
});

describe("inline policies together", () => {
  it("two inline policies within 10,240 each but over it together are refused before any call", async () => {
    const a = file("a.json", inlineDoc(400));
    const b = file("b.json", inlineDoc(400));
    await refusedOffline(
      [
        "role",
        "create",
        "r",
        "--service",
        "lambda",
        "--inline-policy",
        `a=${a}`,
        "--inline-policy",
        `b=${b}`,
      ],
      "10240",
    );
  });

  it.each([
    ["the same name twice", "p", "p"],
    ["names differing only in case", "Read", "read"],
  ])("%s is refused instead of last-one-wins", async (_label, first, second) => {
    const small = file("small.json", inlineDoc(1));
    await refusedOffline(
      [
        "role",
        "create",
        "r",
        "--service",
        "lambda",
        "--inline-policy",
        `${first}=${small}`,
        "--inline-policy",
        `${second}=${small}`,
      ],
      `"${second}"`,
    );
  });
});

describe("policies that do not exist", () => {
  it.each([
    ["--permissions-boundary", `arn:aws:iam::${ACCOUNT}:policy/NoSuchBoundary`],
    ["--permissions-boundary", "arn:aws:iam::aws:policy/NoSuchAwsPolicy"],
    ["--managed-policy", `arn:aws:iam::${ACCOUNT}:policy/NoSuchPolicy`],
    ["--managed-policy", "arn:aws:iam::aws:policy/NoSuchAwsPolicy"],
  ])("%s %s: refused from reads alone, no role left behind", async (flag, arn) => {
    const r = await env.sandbox.run(["role", "create", "left-behind", "--service", "lambda", flag, arn]);
    expect(r.code, r.stderr).toBe(3);
    expect(r.stderr).toContain(arn);
    expect(r.stderr).toContain("does not exist");
    expect(env.proxy.writeCalls()).toEqual([]);
    expect(await roleNames()).not.toContain("left-behind");
  });

  it("an AWS managed boundary that exists is accepted", async () => {
    const r = await env.sandbox.run([
      "role",
      "create",
      "bounded",
      "--service",
      "lambda",
      "--permissions-boundary",
      "arn:aws:iam::aws:policy/PowerUserAccess",
    ]);
    expect(r.code, r.stderr).toBe(0);
  });
});

describe("--mfa-seed-out", () => {
  const GRANT = [
    "cross-account",
    "grant-user",
    "--role-arn",
    "arn:aws:iam::111111111111:role/BizCorpRole",
    "--user",
    "devcorpuser",
    "--mfa",
  ];

  it("in a directory that does not exist: refused before any call", async () => {
    const out = join(env.sandbox.dir, "no-such-dir", "seed.txt");
    await refusedOffline([...GRANT, "--mfa-seed-out", out], `${out} (--mfa-seed-out)`);
  });

  it("that is a directory: refused before any call", async () => {
    await refusedOffline([...GRANT, "--mfa-seed-out", env.sandbox.dir], "is a directory");
  });

  it.skipIf(process.getuid?.() === 0)(
    "in a directory that is not writable: refused before any call",
    async () => {
      const locked = join(env.sandbox.dir, "locked");
      mkdirSync(locked, { mode: 0o500 });
      chmodSync(locked, 0o500);
      await refusedOffline([...GRANT, "--mfa-seed-out", join(locked, "seed.txt")], "not writable");
    },
  );
});

describe("web-identity subjects that match any owner", () => {
  const GITHUB = `arn:aws:iam::${ACCOUNT}:oidc-provider/token.actions.githubusercontent.com`;
  it.each(["*", "repo:*"])("--subject %s is refused without --allow-any-subject", async (subject) => {
    await refusedOffline(
      [
        "role",
        "create",
        "r",
        "--web-identity",
        GITHUB,
        "--audience",
        "sts.amazonaws.com",
        "--subject",
        subject,
      ],
      `"${subject}" (--subject)`,
    );
  });
});

describe("tags and managed policy count (already refused; verified)", () => {
  it.each([
    ["51 tags", Array.from({ length: 51 }, (_, i) => ["--tag", `k${i}=v`]).flat(), "at most 50"],
    ["a tag key twice", ["--tag", "team=a", "--tag", "team=b"], 'Duplicate tag key "team"'],
    ["tag keys differing in case", ["--tag", "Team=a", "--tag", "team=b"], "the same as"],
    [
      "11 managed policies",
      Array.from({ length: 11 }, (_, i) => [
        "--managed-policy",
        `arn:aws:iam::${ACCOUNT}:policy/p${i}`,
      ]).flat(),
      "at most 10 managed policies",
    ],
  ])("%s", async (_label, extra, message) => {
    await refusedOffline(["role", "create", "r", "--service", "lambda", ...extra], message);
  });
});
