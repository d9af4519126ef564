import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { amplifyServiceTrust } from "../../src/core/policies/trust.js";
import { createRoleWithTrust, githubTrust } from "../support/accounts.js";
import { useE2eEnv } from "../support/env.js";

// `rolectl audit` (issue 19) over a fixture account in the emulator: each rule's bad role and
// its good twin, read through ListRoles; and offline over files, with no AWS call at all.

const env = useE2eEnv();
const ME = "123456789012";
const GH = `arn:aws:iam::${ME}:oidc-provider/token.actions.githubusercontent.com`;

const FIXTURE: [string, Record<string, unknown>][] = [
  [
    "ThirdPartyBad",
    { Effect: "Allow", Action: "sts:AssumeRole", Principal: { AWS: "arn:aws:iam::222222222222:root" } },
  ],
  [
    "ThirdPartyGood",
    {
      Effect: "Allow",
      Action: "sts:AssumeRole",
      Principal: { AWS: "arn:aws:iam::222222222222:root" },
      Condition: { StringEquals: { "sts:ExternalId": "Ext-1234567890" } },
    },
  ],
  [
    "GhaNoSub",
    {
      Effect: "Allow",
      Action: "sts:AssumeRoleWithWebIdentity",
      Principal: { Federated: GH },
      Condition: { StringEquals: { "token.actions.githubusercontent.com:aud": "sts.amazonaws.com" } },
    },
  ],
  ["GhaGood", githubTrust(ME)],
  ["AnyoneBad", { Effect: "Allow", Action: "sts:AssumeRole", Principal: { AWS: "*" } }],
  [
    "AmplifyBad",
    { Effect: "Allow", Action: "sts:AssumeRole", Principal: { Service: "amplify.amazonaws.com" } },
  ],
  [
    "AmplifyGood",
    (amplifyServiceTrust({ accountId: ME, sourceConditions: true }).Statement as never[])[0] as never,
  ],
  [
    "FederatedAssumeRole",
    {
      Effect: "Allow",
      Action: "sts:AssumeRole",
      Principal: { Federated: GH },
      Condition: {
        StringEquals: { "token.actions.githubusercontent.com:aud": "sts.amazonaws.com" },
        StringLike: { "token.actions.githubusercontent.com:sub": "repo:org/app:*" },
      },
    },
  ],
];
const EXPECTED = [
  ["AnyoneBad", "RC-TRUST-006"],
  ["GhaNoSub", "RC-TRUST-003"],
  ["FederatedAssumeRole", "RC-TRUST-009"],
  ["ThirdPartyBad", "RC-TRUST-001"],
  ["AmplifyBad", "RC-TRUST-007"],
];

beforeEach(async () => {
  for (const [name, statement] of FIXTURE) await createRoleWithTrust(env.moto.url, name, [statement]);
  env.proxy.reset();
});

describe("rolectl audit over the account", () => {
  it("finds exactly each bad role's rule, nothing on the good twins; exit 6 for high and above", async () => {
    const r = await env.sandbox.run(["audit", "--json"]);
    expect(r.code, r.stderr).toBe(6);
    const out = JSON.parse(r.stdout) as {
      roles: number;
      findings: { role: string; rule: string; severity: string; fix: string }[];
    };
    const ours = new Set(FIXTURE.map(([n]) => n));
    const found = out.findings.filter((f) => ours.has(f.role)).map((f) => [f.role, f.rule]);
    expect(found).toEqual(EXPECTED); // severity first (critical, high, medium), then role
    expect(out.findings.every((f) => f.fix.length > 10)).toBe(true);
    expect(env.proxy.writeCalls()).toEqual([]);
    expect(env.proxy.callsOf("ListRoles").length).toBeGreaterThanOrEqual(1);
  });

  it("--role narrows it; --fail-on critical lets a high finding pass (exit 0); the table names rule and fix", async () => {
    const r = await env.sandbox.run([
      "audit",
      "--role",
      "ThirdPartyBad",
      "--role",
      "ThirdPartyGood",
      "--fail-on",
      "critical",
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/high\s+RC-TRUST-001\s+ThirdPartyBad\s+1\s+another account is trusted/);
    expect(r.stdout).not.toContain("ThirdPartyGood");
    expect(r.stdout).toContain("2 role(s), 1 finding(s), 0 at or above critical.");
  });

  it("SARIF: version 2.1.0, the rules, one result per finding with a level and a location", async () => {
    const r = await env.sandbox.run(["audit", "--role", "AnyoneBad", "--format", "sarif"]);
    expect(r.code).toBe(6);
    const sarif = JSON.parse(r.stdout) as {
      version: string;
      runs: {
        tool: { driver: { name: string; rules: { id: string }[] } };
        results: { ruleId: string; ruleIndex: number; level: string; locations: unknown[] }[];
      }[];
    };
    expect(sarif.version).toBe("2.1.0");
    const run = sarif.runs[0];
    expect(run?.tool.driver.name).toBe("rolectl");
    expect(run?.results.map((x) => [x.ruleId, x.level])).toEqual([["RC-TRUST-006", "error"]]);
    expect(run?.tool.driver.rules[run.results[0]?.ruleIndex ?? -1]?.id).toBe("RC-TRUST-006");
    expect(run?.results[0]?.locations).toHaveLength(1);
  });

  it("bad options are refused before any call (exit 2)", async () => {
    for (const args of [
      ["--fail-on", "severe"],
      ["--format", "yaml"],
      ["--unused-days", "0"],
      ["--role", "x", "--file", "y"],
    ]) {
      const r = await env.sandbox.run(["audit", ...args]);
      expect(r.code, args.join(" ")).toBe(2);
    }
    expect(env.proxy.calls).toEqual([]);
  });
});

describe("rolectl audit --file, offline", () => {
  it("a template of rolectl's own trusts finds nothing; a bad trust policy file is found; no AWS call", async () => {
    const template = join(env.sandbox.dir, "template.json");
    writeFileSync(
      template,
      JSON.stringify({
        Resources: {
          Deploy: {
            Type: "AWS::IAM::Role",
            Properties: {
              RoleName: "Deploy",
              AssumeRolePolicyDocument: { Version: "2012-10-17", Statement: [githubTrust(ME)] },
            },
          },
          Hosting: {
            Type: "AWS::IAM::Role",
            Properties: {
              AssumeRolePolicyDocument: amplifyServiceTrust({ accountId: ME, sourceConditions: true }),
            },
          },
          Bucket: { Type: "AWS::S3::Bucket" },
        },
      }),
    );
    const clean = await env.sandbox.run(["audit", "--file", template, "--json"]);
    expect(clean.code, clean.stderr).toBe(0);
    expect(JSON.parse(clean.stdout)).toMatchObject({ roles: 2, findings: [] });
    const bad = join(env.sandbox.dir, "trust.json");
    writeFileSync(bad, JSON.stringify({ Version: "2012-10-17", Statement: [FIXTURE[2]?.[1]] }));
    const r = await env.sandbox.run(["audit", "--file", bad, "--file", template, "--json"]);
    expect(r.code).toBe(6);
    expect(
      JSON.parse(r.stdout).findings.map((f: { rule: string; role: string }) => [f.role, f.rule]),
    ).toEqual([[bad, "RC-TRUST-003"]]);
    expect(env.proxy.calls).toEqual([]);
    expect(readFileSync(bad, "utf8")).toContain("AssumeRoleWithWebIdentity");
  });
});

describe("rolectl never creates what audit would flag", () => {
  const trustFile = () => {
    const path = join(env.sandbox.dir, "gha-trust.json");
    writeFileSync(path, JSON.stringify({ Version: "2012-10-17", Statement: [FIXTURE[2]?.[1]] }));
    return path;
  };

  it("a critical finding is refused before any write; --allow-risk RULE lets it through", async () => {
    const refused = await env.sandbox.run(["role", "create", "Gha", "--trust-policy", trustFile()]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain("RC-TRUST-003");
    expect(refused.stderr).toContain("--allow-risk RC-TRUST-003");
    expect(env.proxy.writeCalls()).toEqual([]);
    const allowed = await env.sandbox.run([
      "role",
      "create",
      "Gha",
      "--trust-policy",
      trustFile(),
      "--allow-risk",
      "RC-TRUST-003",
    ]);
    expect(allowed.code, allowed.stderr).toBe(0);
    expect(env.proxy.callsOf("CreateRole")).toHaveLength(1);
  });

  it("a high finding is a warning, a medium one is left to audit; an unknown rule id is refused", async () => {
    const path = join(env.sandbox.dir, "federated.json");
    writeFileSync(path, JSON.stringify({ Version: "2012-10-17", Statement: [FIXTURE[7]?.[1]] }));
    const r = await env.sandbox.run(["role", "create", "Fed", "--trust-policy", path]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain("RC-TRUST-009 (high)");
    const svc = await env.sandbox.run(["role", "create", "Svc", "--service", "amplify.amazonaws.com"]);
    expect(svc.code, svc.stderr).toBe(0);
    expect(svc.stderr).toBe("");
    const bad = await env.sandbox.run([
      "role",
      "create",
      "Svc2",
      "--service",
      "lambda",
      "--allow-risk",
      "RC-NOPE",
    ]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('Invalid --allow-risk "RC-NOPE"');
  });
});

describe("large answers", () => {
  it("a --json answer of over 1 MB on a pipe arrives whole (it was cut at 256 KB at exit)", async () => {
    const template = join(env.sandbox.dir, "big.json");
    const resources: Record<string, unknown> = {};
    for (let i = 0; i < 3000; i++)
      resources[`Role${i}`] = {
        Type: "AWS::IAM::Role",
        Properties: { AssumeRolePolicyDocument: { Version: "2012-10-17", Statement: [FIXTURE[4]?.[1]] } },
      };
    writeFileSync(template, JSON.stringify({ Resources: resources }));
    const r = await env.sandbox.run(["audit", "--file", template, "--json"]);
    expect(r.stdout.length).toBeGreaterThan(1_000_000);
    expect(JSON.parse(r.stdout).findings).toHaveLength(3000);
  });
});
