import { writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  AttachRolePolicyCommand,
  CreateOpenIDConnectProviderCommand,
  GetPolicyVersionCommand,
  GetRoleCommand,
  ListAttachedRolePoliciesCommand,
  PutRolePolicyCommand,
  UpdateAssumeRolePolicyCommand,
} from "@aws-sdk/client-iam";
import { describe, expect, it } from "vitest";
import { iamAs } from "../support/accounts.js";
import { useE2eEnv } from "../support/env.js";
import { runInProcess } from "../support/in-process.js";
import { runInPty } from "../support/pty.js";

const env = useE2eEnv({ managedPolicies: true });
const ACCOUNT = "123456789012";
const AMPLIFY_POLICY = "arn:aws:iam::aws:policy/AdministratorAccess-Amplify";
const iam = () => iamAs(env.moto.url);
const run = (...args: string[]) => env.sandbox.run(args);
async function json(...args: string[]) {
  const r = await env.sandbox.run([...args, "--json"]);
  expect(r.stderr).toBe("");
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout);
}
const trustOf = async (name: string) =>
  JSON.parse(
    decodeURIComponent(
      (await iam().send(new GetRoleCommand({ RoleName: name }))).Role?.AssumeRolePolicyDocument ?? "",
    ),
  );
const attachedTo = async (name: string) =>
  ((await iam().send(new ListAttachedRolePoliciesCommand({ RoleName: name }))).AttachedPolicies ?? []).map(
    (p) => p.PolicyArn,
  );

const AMPLIFY_TRUST = {
  Version: "2012-10-17",
  Statement: [
    {
      Effect: "Allow",
      Principal: { Service: "amplify.amazonaws.com" },
      Action: "sts:AssumeRole",
      Condition: {
        StringEquals: { "aws:SourceAccount": ACCOUNT },
        ArnLike: { "aws:SourceArn": `arn:aws:amplify:*:${ACCOUNT}:apps/*` },
      },
    },
  ],
};

describe("amplify-service-role", () => {
  it("is one role for every region: a run with another --region plans no change", async () => {
    expect((await json("amplify-service-role")).status).toBe("created");
    env.proxy.reset();
    const other = await json("amplify-service-role", "--region", "eu-west-1");
    expect(other.status).toBe("unchanged");
    expect(env.proxy.writeCalls()).toEqual([]);
  });

  it("--gen2 swaps AdministratorAccess-Amplify for AmplifyBackendDeployFullAccess, then converges", async () => {
    await json("amplify-service-role");
    env.proxy.reset();
    const gen2 = await json("amplify-service-role", "--gen2");
    expect(gen2.actions.map((a: { description: string }) => a.description)).toEqual([
      "attach arn:aws:iam::aws:policy/service-role/AmplifyBackendDeployFullAccess",
      "detach arn:aws:iam::aws:policy/AdministratorAccess-Amplify (replaced)",
    ]);
    expect(await attachedTo("AmplifyConsoleServiceRole-AmplifyRole")).toEqual([
      "arn:aws:iam::aws:policy/service-role/AmplifyBackendDeployFullAccess",
    ]);
    env.proxy.reset();
    expect((await json("amplify-service-role", "--gen2")).status).toBe("unchanged");
    expect(env.proxy.writeCalls()).toEqual([]);
  });

  it("amplify-compute-role: a role only that branch's SSR code can be, set on the branch; then converged", async () => {
    env.proxy.amplifyApps.set("d1ssr", {
      appId: "d1ssr",
      name: "store",
      branches: { "feature/x": {}, main: {} },
    });
    const args = ["amplify-compute-role", "--app-id", "d1ssr", "--branch", "feature/x"];
    const bare = await run(...args);
    expect(bare.code).toBe(2);
    expect(bare.stderr).toContain("An SSR compute role needs permissions");
    const missing = await run(
      "amplify-compute-role",
      "--app-id",
      "d1ssr",
      "--branch",
      "nope",
      "--managed-policy",
      AMPLIFY_POLICY,
    );
    expect(missing.code).toBe(3);
    expect(env.proxy.writeCalls()).toEqual([]);

    const first = await json(...args, "--managed-policy", "arn:aws:iam::aws:policy/ReadOnlyAccess");
    expect(first).toMatchObject({
      name: "AmplifySSRCompute-d1ssr-feature-x",
      status: "created",
      computeRoleOf: { appId: "d1ssr", branch: "feature/x", status: "updated" },
    });
    expect(await trustOf("AmplifySSRCompute-d1ssr-feature-x")).toEqual({
      Version: "2012-10-17",
      Statement: [
        {
          Effect: "Allow",
          Principal: { Service: "amplify.amazonaws.com" },
          Action: "sts:AssumeRole",
          Condition: {
            StringEquals: { "aws:SourceAccount": ACCOUNT },
            ArnLike: {
              "aws:SourceArn": "arn:aws:amplify:us-east-1:123456789012:apps/d1ssr/branches/feature/x",
            },
          },
        },
      ],
    });
    const branches = env.proxy.amplifyApps.get("d1ssr")?.branches ?? {};
    expect(branches["feature/x"]?.computeRoleArn).toBe(first.arn);
    expect(branches.main?.computeRoleArn).toBeUndefined();
    env.proxy.reset();
    const again = await json(...args, "--managed-policy", "arn:aws:iam::aws:policy/ReadOnlyAccess");
    expect(again).toMatchObject({ status: "unchanged", actions: [], computeRoleOf: { status: "unchanged" } });
    expect(env.proxy.writeCalls()).toEqual([]);
  });

  it("a trust policy it replaces is shown as a diff", async () => {
    await run("amplify-service-role", "--no-source-conditions");
    const r = await run("amplify-service-role", "--dry-run");
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("~ replace the trust policy");
    expect(r.stdout).toContain("trust policy change:");
    expect(r.stdout).toMatch(/^ {4}\+ {7}"Condition": \{$/m);
    expect(r.stdout).toMatch(/^ {4}\+ {11}"aws:SourceAccount": "123456789012"$/m);
    expect(r.stdout).toMatch(/^ {4} {2} {6}"Action": "sts:AssumeRole",$/m); // unchanged: context
  });

  it("creates the role with the exact trust and policy, then a second run writes nothing", async () => {
    const first = await json("amplify-service-role");
    expect(first).toMatchObject({
      name: "AmplifyConsoleServiceRole-AmplifyRole",
      arn: `arn:aws:iam::${ACCOUNT}:role/AmplifyConsoleServiceRole-AmplifyRole`,
      status: "created",
    });
    expect(await trustOf("AmplifyConsoleServiceRole-AmplifyRole")).toEqual(AMPLIFY_TRUST);
    expect(await attachedTo("AmplifyConsoleServiceRole-AmplifyRole")).toEqual([AMPLIFY_POLICY]);
    env.proxy.reset();
    const second = await json("amplify-service-role");
    expect(second).toMatchObject({ status: "unchanged", actions: [] });
    expect(env.proxy.writeCalls()).toEqual([]);
    const human = await run("amplify-service-role");
    expect(human.stdout).toMatch(/^up to date {2}AmplifyConsoleServiceRole-AmplifyRole\n/);
  });

  it("restores a trust policy changed behind its back and says so", async () => {
    await json("amplify-service-role");
    await iam().send(
      new UpdateAssumeRolePolicyCommand({
        RoleName: "AmplifyConsoleServiceRole-AmplifyRole",
        PolicyDocument: JSON.stringify({
          Version: "2012-10-17",
          Statement: [
            { Effect: "Allow", Principal: { Service: "amplify.amazonaws.com" }, Action: "sts:AssumeRole" },
          ],
        }),
      }),
    );
    const r = await json("amplify-service-role");
    expect(r).toMatchObject({
      status: "updated",
      actions: [{ description: "replace the trust policy (it differs from the desired one)" }],
    });
    expect(await trustOf("AmplifyConsoleServiceRole-AmplifyRole")).toEqual(AMPLIFY_TRUST);
  });

  it("refuses to take over a role that trusts something else (exit 5) unless --force", async () => {
    await run("role", "create", "AmplifyConsoleServiceRole-AmplifyRole", "--service", "lambda.amazonaws.com");
    env.proxy.reset();
    const r = await run("amplify-service-role");
    expect(r.code).toBe(5);
    expect(r.stderr).toContain("trusts Service:lambda.amazonaws.com, not Service:amplify.amazonaws.com");
    expect(env.proxy.writeCalls()).toEqual([]);
    expect((await json("amplify-service-role", "--force")).status).toBe("updated");
    expect(await trustOf("AmplifyConsoleServiceRole-AmplifyRole")).toEqual(AMPLIFY_TRUST);
  });

  it("--dry-run prints the plan and the exact trust policy, writing nothing", async () => {
    const r = await run("amplify-service-role", "--dry-run", "--region", "eu-west-1");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("would create  AmplifyConsoleServiceRole-AmplifyRole");
    expect(r.stdout).toContain(`"aws:SourceArn": "arn:aws:amplify:*:${ACCOUNT}:apps/*"`);
    expect(env.proxy.writeCalls()).toEqual([]);
  });

  it("--no-source-conditions, --max-session-duration and --tag", async () => {
    await json(
      "amplify-service-role",
      "--role-name",
      "AmpNoCond",
      "--no-source-conditions",
      "--max-session-duration",
      "2h",
      "--tag",
      "team=web",
    );
    const role = (await iam().send(new GetRoleCommand({ RoleName: "AmpNoCond" }))).Role;
    expect((await trustOf("AmpNoCond")).Statement[0].Condition).toBeUndefined();
    expect(role?.MaxSessionDuration).toBe(7200);
    expect(role?.Tags).toEqual([{ Key: "team", Value: "web" }]);
  });

  it("--app-id sets the role on the app with UpdateApp, once", async () => {
    env.proxy.amplifyApps.set("d1shop", { appId: "d1shop", name: "shop" });
    const r = await json("amplify-service-role", "--app-id", "d1shop", "--verify");
    expect(r.app).toEqual({ appId: "d1shop", name: "shop", status: "updated" });
    expect(r.verified.status).toBe("passed");
    expect(r.verified.checks).toEqual([
      "the role trusts amplify.amazonaws.com",
      `${AMPLIFY_POLICY} is attached`,
      "app shop uses the role",
    ]);
    expect(env.proxy.callsOf("UpdateApp").map((c) => c.params)).toEqual([
      { appId: "d1shop", iamServiceRoleArn: r.arn },
    ]);
    expect(env.proxy.amplifyApps.get("d1shop")?.iamServiceRoleArn).toBe(r.arn);
    const again = await json("amplify-service-role", "--app-id", "d1shop");
    expect(again.app.status).toBe("unchanged");
    expect(env.proxy.callsOf("UpdateApp")).toHaveLength(1);
  });

  it("an unknown app id is exit 3 before any IAM change", async () => {
    const r = await run("amplify-service-role", "--app-id", "d9missing");
    expect(r.code).toBe(3);
    expect(r.stderr).toContain("App d9missing not found");
    expect(env.proxy.writeCalls()).toEqual([]);
    await expect(
      iam().send(new GetRoleCommand({ RoleName: "AmplifyConsoleServiceRole-AmplifyRole" })),
    ).rejects.toMatchObject({ Code: "NoSuchEntity" });
  });

  it("a failing step says which steps were applied", async () => {
    env.proxy.inject("AttachRolePolicy", { kind: "accessDenied" });
    const r = await run("amplify-service-role");
    expect(r.code).toBe(4);
    expect(r.stderr).toContain(`Could not attach ${AMPLIFY_POLICY}`);
    expect(r.stderr).toContain(
      "Applied before the failure: create role AmplifyConsoleServiceRole-AmplifyRole (path /).",
    );
    env.proxy.clearFaults();
    expect((await json("amplify-service-role")).actions).toEqual([
      {
        description: `attach ${AMPLIFY_POLICY}`,
        operation: "iam:AttachRolePolicy",
        target: "AmplifyConsoleServiceRole-AmplifyRole",
      },
    ]);
  });
});

describe("policy amplify-cli", () => {
  it("prints seed 001's policy; --without auth drops exactly the cognito lines", async () => {
    const full = JSON.parse((await run("policy", "amplify-cli")).stdout);
    const actions: string[] = full.Statement[0].Action;
    expect(actions).toHaveLength(69); // seed 001 lists 69 actions
    expect(actions.filter((a) => a.startsWith("cognito"))).toHaveLength(13);
    expect(actions[0]).toBe("appsync:*");
    expect(actions.at(-1)).toBe("amplify:*");
    const noAuth: string[] = JSON.parse((await run("policy", "amplify-cli", "--without", "auth")).stdout)
      .Statement[0].Action;
    expect(noAuth.filter((a) => a.startsWith("cognito"))).toEqual([]);
    expect(noAuth).toEqual(actions.filter((a) => !a.startsWith("cognito")));
  });

  it("--create makes a policy whose default version is the printed JSON; changes add versions, pruning at 5", async () => {
    const created = await json("policy", "amplify-cli", "--create", "AmplifyCLI");
    expect(created).toMatchObject({ status: "created", arn: `arn:aws:iam::${ACCOUNT}:policy/AmplifyCLI` });
    const printed = JSON.parse((await run("policy", "amplify-cli")).stdout);
    const stored = await iam().send(new GetPolicyVersionCommand({ PolicyArn: created.arn, VersionId: "v1" }));
    expect(JSON.parse(decodeURIComponent(stored.PolicyVersion?.Document ?? ""))).toEqual(printed);
    expect((await json("policy", "amplify-cli", "--create", "AmplifyCLI")).status).toBe("unchanged");
    const variants = ["auth", "api", "storage", "function", "hosting", "auth,api"];
    for (const v of variants) await json("policy", "amplify-cli", "--create", "AmplifyCLI", "--without", v);
    // v1 + six changes = v7; IAM keeps 5, so making v6 prunes v1 and making v7 prunes v2.
    expect(env.proxy.callsOf("DeletePolicyVersion").map((c) => c.params.VersionId)).toEqual(["v1", "v2"]);
  });

  it("attaches to a user or a role", async () => {
    await run("role", "create", "dev-role", "--trust-account", ACCOUNT);
    const r = await json("policy", "amplify-cli", "--create", "AmplifyCLI", "--attach-role", "dev-role");
    expect(r).toMatchObject({ attachedTo: "role dev-role", attached: true });
    expect(await attachedTo("dev-role")).toEqual([r.arn]);
    expect(
      (await json("policy", "amplify-cli", "--create", "AmplifyCLI", "--attach-role", "dev-role")).attached,
    ).toBe(false);
  });
});

describe("role create / show / delete", () => {
  const PROVIDER = `arn:aws:iam::${ACCOUNT}:oidc-provider/token.actions.githubusercontent.com`;
  const SAML = `arn:aws:iam::${ACCOUNT}:saml-provider/Okta`;
  it.each([
    [
      ["--service", "lambda"],
      { Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" },
    ],
    [
      ["--trust-account", "222222222222", "--external-id", "Ext-1234567890", "--require-mfa"],
      {
        Effect: "Allow",
        Principal: { AWS: "arn:aws:iam::222222222222:root" },
        Action: "sts:AssumeRole",
        Condition: {
          StringEquals: { "sts:ExternalId": "Ext-1234567890" },
          Bool: { "aws:MultiFactorAuthPresent": "true" },
        },
      },
    ],
    [
      ["--web-identity", PROVIDER, "--audience", "sts.amazonaws.com", "--subject", "repo:org/app:*"],
      {
        Effect: "Allow",
        Principal: { Federated: PROVIDER },
        Action: "sts:AssumeRoleWithWebIdentity",
        Condition: {
          StringEquals: { "token.actions.githubusercontent.com:aud": "sts.amazonaws.com" },
          StringLike: { "token.actions.githubusercontent.com:sub": "repo:org/app:*" },
        },
      },
    ],
    [
      [
        ...["--web-identity", PROVIDER, "--audience", "sts.amazonaws.com"],
        ...["--subject", "repo:org/app:ref:refs/heads/main", "--subject", "repo:org/app:environment:*"],
      ],
      {
        Effect: "Allow",
        Principal: { Federated: PROVIDER },
        Action: "sts:AssumeRoleWithWebIdentity",
        Condition: {
          StringEquals: { "token.actions.githubusercontent.com:aud": "sts.amazonaws.com" },
          StringLike: {
            "token.actions.githubusercontent.com:sub": [
              "repo:org/app:ref:refs/heads/main",
              "repo:org/app:environment:*",
            ],
          },
        },
      },
    ],
    [
      ["--web-identity", PROVIDER, "--audience", "sts.amazonaws.com", "--allow-any-subject"],
      {
        Effect: "Allow",
        Principal: { Federated: PROVIDER },
        Action: "sts:AssumeRoleWithWebIdentity",
        Condition: { StringEquals: { "token.actions.githubusercontent.com:aud": "sts.amazonaws.com" } },
      },
    ],
    [
      ["--service", "lambda", "--service", "edgelambda.amazonaws.com"],
      {
        Effect: "Allow",
        Principal: { Service: ["lambda.amazonaws.com", "edgelambda.amazonaws.com"] },
        Action: "sts:AssumeRole",
      },
    ],
    [
      ["--trust-account", "222222222222", "--trust-account", "333333333333"],
      {
        Effect: "Allow",
        Principal: { AWS: ["arn:aws:iam::222222222222:root", "arn:aws:iam::333333333333:root"] },
        Action: "sts:AssumeRole",
      },
    ],
    [
      ["--saml", SAML],
      {
        Effect: "Allow",
        Principal: { Federated: SAML },
        Action: "sts:AssumeRoleWithSAML",
        Condition: { StringEquals: { "SAML:aud": "https://signin.aws.amazon.com/saml" } },
      },
    ],
  ])("%j produces the documented trust policy", async (args, statement) => {
    const r = await json("role", "create", "r1", ...args);
    expect(r.status).toBe("created");
    expect(await trustOf("r1")).toEqual({ Version: "2012-10-17", Statement: [statement] });
    expect((await json("role", "create", "r1", ...args)).status).toBe("unchanged");
  });

  it("--trust-policy, inline and managed policies, path, description, boundary; show; then delete everything", async () => {
    const trust = join(env.sandbox.dir, "trust.json");
    const inline = join(env.sandbox.dir, "s3read.json");
    const trustDoc = {
      Version: "2012-10-17",
      Statement: [{ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }],
    };
    writeFileSync(trust, JSON.stringify(trustDoc));
    writeFileSync(
      inline,
      JSON.stringify({
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Action: "s3:GetObject", Resource: "*" }],
      }),
    );
    const r = await json(
      "role",
      "create",
      "full",
      "--trust-policy",
      trust,
      "--inline-policy",
      `s3read=${inline}`,
      "--managed-policy",
      "arn:aws:iam::aws:policy/ReadOnlyAccess",
      "--path",
      "/team/",
      "--description",
      "Full example",
      "--permissions-boundary",
      "arn:aws:iam::aws:policy/PowerUserAccess",
      "--max-session-duration",
      "7200",
    );
    expect(r.arn).toBe(`arn:aws:iam::${ACCOUNT}:role/team/full`);
    const shown = await json("role", "show", "full");
    expect(shown).toMatchObject({
      path: "/team/",
      description: "Full example",
      maxSessionDuration: 7200,
      permissionsBoundary: "arn:aws:iam::aws:policy/PowerUserAccess",
      managedPolicies: ["arn:aws:iam::aws:policy/ReadOnlyAccess"],
      trustPolicy: trustDoc,
    });
    expect(Object.keys(shown.inlinePolicies)).toEqual(["s3read"]);
    const human = await run("role", "show", "full");
    expect(human.stdout).toContain('"Service": "ec2.amazonaws.com"');
    await iam().send(
      new AttachRolePolicyCommand({
        RoleName: "full",
        PolicyArn: "arn:aws:iam::aws:policy/AWSLambdaExecute",
      }),
    );
    await iam().send(
      new PutRolePolicyCommand({
        RoleName: "full",
        PolicyName: "extra",
        PolicyDocument: JSON.stringify({
          Version: "2012-10-17",
          Statement: [{ Effect: "Allow", Action: "s3:ListBucket", Resource: "*" }],
        }),
      }),
    );
    const del = await json("role", "delete", "full", "--yes");
    const deleted: string[] = del.actions.map((a: { description: string }) => a.description);
    expect([...deleted].sort()).toEqual([
      "delete inline policy extra",
      "delete inline policy s3read",
      "delete role full",
      "detach arn:aws:iam::aws:policy/AWSLambdaExecute",
      "detach arn:aws:iam::aws:policy/ReadOnlyAccess",
    ]);
    expect(del.actions.at(-1)).toEqual({
      description: "delete role full",
      operation: "iam:DeleteRole",
      target: "full",
    });
    await expect(iam().send(new GetRoleCommand({ RoleName: "full" }))).rejects.toMatchObject({
      Code: "NoSuchEntity",
    });
  });

  it("delete asks for confirmation (exit 2 without --yes non-interactively) and refuses service-linked roles", async () => {
    await run("role", "create", "keep", "--service", "lambda");
    env.proxy.reset();
    expect((await run("role", "delete", "keep")).code).toBe(2);
    await run("slr", "create", "--service", "autoscaling");
    const slr = await run("role", "delete", "AWSServiceRoleForAutoScaling", "--yes");
    expect(slr.code).toBe(2);
    expect(slr.stderr).toContain("rolectl slr delete AWSServiceRoleForAutoScaling");
    expect(env.proxy.writeCalls().map((c) => c.action)).toEqual(["CreateServiceLinkedRole"]);
  });

  it("the wizard asks only for what the flags left out, shows the plan and asks to confirm", async () => {
    const r = await runInPty(
      ["role", "create", "wizrole", "--description", "made by the wizard"],
      env.sandbox.env,
      [
        { expect: /Who may assume the role\?/, send: "\r" },
        { expect: /Service principal/, send: "lambda\r" },
        { expect: /Managed policies to attach/, send: "\r" },
        { expect: /Apply this plan\?/, send: "y\r" },
      ],
    );
    expect(r.code).toBe(0);
    expect(r.asked).toHaveLength(4);
    expect(r.screen).not.toContain("Role name:");
    expect(r.screen).not.toMatch(/Description \(empty/);
    expect(r.screen).toContain("create role wizrole (path /)");
    expect(await trustOf("wizrole")).toEqual({
      Version: "2012-10-17",
      Statement: [
        { Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" },
      ],
    });
    expect((await iam().send(new GetRoleCommand({ RoleName: "wizrole" }))).Role?.Description).toBe(
      "made by the wizard",
    );
  });

  it("the wizard offers the account's OIDC providers, asks audience, subject, permissions and description; a 'no' changes nothing", async () => {
    const provider = (
      await iam().send(
        new CreateOpenIDConnectProviderCommand({
          Url: "https://token.actions.githubusercontent.com",
          ClientIDList: ["sts.amazonaws.com"],
          ThumbprintList: ["a".repeat(40)],
        }),
      )
    ).OpenIDConnectProviderArn;
    const answers = (last: string) => [
      { expect: /Who may assume the role\?/, send: "\u001b[B\u001b[B\r" },
      { expect: /Which OIDC provider\?/, send: "\r" },
      { expect: /Audience/, send: "\r" },
      { expect: /Token subject allowed/, send: "repo:org/app:*\r" },
      { expect: /Managed policies to attach/, send: "ReadOnlyAccess\r" },
      { expect: /Description/, send: "GitHub deploys of org/app\r" },
      { expect: /Apply this plan\?/, send: last },
    ];
    env.proxy.reset();
    const no = await runInPty(["role", "create", "gha-wizard"], env.sandbox.env, answers("n\r"));
    expect(no.asked).toHaveLength(7);
    expect(no.code).toBe(0);
    const plan = no.screen.slice(0, no.screen.indexOf("Apply this plan?"));
    const after = no.screen.slice(no.screen.lastIndexOf("Apply this plan?"));
    expect(plan).toContain("Plan for role gha-wizard:\r\n  create role gha-wizard (path /)");
    expect(plan).toContain("attach arn:aws:iam::aws:policy/ReadOnlyAccess");
    expect(after).toContain("nothing changed (cancelled)");
    expect(after).not.toContain("create role");
    expect(env.proxy.writeCalls()).toEqual([]);
    expect(env.proxy.callsOf("ListOpenIDConnectProviders")).toHaveLength(1);

    const yes = await runInPty(["role", "create", "gha-wizard"], env.sandbox.env, answers("y\r"));
    expect(yes.code).toBe(0);
    expect(await trustOf("gha-wizard")).toEqual({
      Version: "2012-10-17",
      Statement: [
        {
          Effect: "Allow",
          Principal: { Federated: provider },
          Action: "sts:AssumeRoleWithWebIdentity",
          Condition: {
            StringEquals: { "token.actions.githubusercontent.com:aud": "sts.amazonaws.com" },
            StringLike: { "token.actions.githubusercontent.com:sub": "repo:org/app:*" },
          },
        },
      ],
    });
    expect(await attachedTo("gha-wizard")).toEqual(["arn:aws:iam::aws:policy/ReadOnlyAccess"]);
    expect((await iam().send(new GetRoleCommand({ RoleName: "gha-wizard" }))).Role?.Description).toBe(
      "GitHub deploys of org/app",
    );
  });

  it("the wizard asks an account trust for an external id and MFA", async () => {
    const r = await runInPty(["role", "create", "acct-wizard"], env.sandbox.env, [
      { expect: /Who may assume the role\?/, send: "\u001b[B\r" },
      { expect: /Trusted account id/, send: "111122223333\r" },
      { expect: /External id/, send: "Ext-9\r" },
      { expect: /Require MFA to assume it\?/, send: "\r" },
      { expect: /Managed policies to attach/, send: "\r" },
      { expect: /Description/, send: "\r" },
      { expect: /Apply this plan\?/, send: "y\r" },
    ]);
    expect(r.code).toBe(0);
    expect((await trustOf("acct-wizard")).Statement[0].Condition).toEqual({
      StringEquals: { "sts:ExternalId": "Ext-9" },
      Bool: { "aws:MultiFactorAuthPresent": "true" },
    });
  });

  it("a wrong answer in the wizard is asked again with the rule, not the end of the wizard", async () => {
    const erase = "\u007f".repeat(12);
    const r = await runInPty(["role", "create"], env.sandbox.env, [
      { expect: /Role name:/, send: "bad name\r" },
      { expect: /Invalid role name "bad name"/, send: `${erase}goodname\r` },
      { expect: /Who may assume the role\?/, send: "\r" },
      { expect: /Service principal/, send: "lambda!\r" },
      { expect: /Invalid service/, send: `${erase}lambda\r` },
      { expect: /Managed policies to attach/, send: "NoSuch Policy!\r" },
      { expect: /Invalid policy name/, send: `${erase}${erase}NoSuchPolicy\r` },
      // A well-formed name AWS does not have is asked again before the plan…
      { expect: /No AWS managed policy named NoSuchPolicy/, send: "AmplifyBackendDeployFullAccess\r" },
      { expect: /Description/, send: "\r" },
      { expect: /Apply this plan\?/, send: "y\r" },
    ]);
    expect(r.asked).toHaveLength(10);
    expect(r.code).toBe(0);
    expect((await iam().send(new GetRoleCommand({ RoleName: "goodname" }))).Role?.RoleName).toBe("goodname");
    // …and a name found under one of AWS's paths (service-role/) is attached by its full ARN.
    expect(await attachedTo("goodname")).toEqual([
      "arn:aws:iam::aws:policy/service-role/AmplifyBackendDeployFullAccess",
    ]);
  });

  it("--verify rides out AccessDenied while IAM propagates", async () => {
    env.proxy.inject("AssumeRole", { kind: "accessDenied" }, 2);
    const r = await json(
      "role",
      "create",
      "verified",
      "--trust-account",
      ACCOUNT,
      "--external-id",
      "Ext-42",
      "--verify",
    );
    expect(r.verified.status).toBe("passed");
    expect(r.verified.reason).toMatch(/assumed the role \(attempt 3,/);
    expect(env.proxy.callsOf("AssumeRole").map((c) => [c.answeredBy, c.params.ExternalId])).toEqual([
      ["accessDenied", "Ext-42"],
      ["accessDenied", "Ext-42"],
      ["moto", "Ext-42"],
    ]);
  });

  it("--verify gives up with exit 4 and a hint when access is never granted", async () => {
    env.proxy.inject("AssumeRole", { kind: "accessDenied" });
    const r = await run(
      "role",
      "create",
      "never",
      "--trust-account",
      ACCOUNT,
      "--verify",
      "--verify-timeout",
      "2",
    );
    expect(r.code).toBe(4);
    expect(r.stderr).toContain("Could not assume arn:aws:iam::123456789012:role/never after");
    expect(r.stderr).toContain("hint: IAM changes usually work within 20 s");
    // The role was made: the result says so first, with the verdict, and only then the error.
    expect(r.stdout).toMatch(/^created {2}never\n/);
    expect(r.stdout).toContain("verified: failed: ");
  });

  it("--verify that cannot run says why in the result and exits 3 (verify_skipped)", async () => {
    const r = await run(
      "role",
      "create",
      "elsewhere",
      "--trust-account",
      "999999999999",
      "--verify",
      "--json",
    );
    expect(r.code).toBe(3);
    expect(JSON.parse(r.stdout).verified).toEqual({
      status: "skipped",
      reason: "the caller (account 123456789012) is not the trusted account 999999999999",
      checks: null,
    });
    expect(JSON.parse(r.stderr).error.code).toBe("verify_skipped");
  });
});

describe("web identity without a subject", () => {
  it("another provider is allowed, with a warning saying who may assume the role", async () => {
    const r = await run(
      "role",
      "create",
      "oidc-any",
      "--web-identity",
      "arn:aws:iam::123456789012:oidc-provider/idp.example.com",
      "--audience",
      "my-app",
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(
      "warning: Any identity that idp.example.com issues tokens for (with audience my-app)",
    );
  });
});

describe("what reads can refuse is refused before the first write", () => {
  it("role create with a managed policy that does not exist: exit 3, no write", async () => {
    const r = await run(
      "role",
      "create",
      "r1",
      "--service",
      "lambda",
      "--managed-policy",
      "arn:aws:iam::aws:policy/NoSuchPolicyAnywhere",
    );
    expect(r.code).toBe(3);
    expect(r.stderr).toContain("Managed policy arn:aws:iam::aws:policy/NoSuchPolicyAnywhere does not exist.");
    expect(env.proxy.writeCalls()).toEqual([]);
  });

  it("policy --create … --attach-user for a user that does not exist: exit 3, the policy left as it was", async () => {
    expect((await run("policy", "amplify-cli", "--create", "AmpCli")).code).toBe(0);
    env.proxy.reset();
    const r = await run(
      "policy",
      "amplify-cli",
      "--without",
      "auth",
      "--create",
      "AmpCli",
      "--attach-user",
      "nosuchuser",
    );
    expect(r.code).toBe(3);
    expect(r.stderr).toContain("User nosuchuser does not exist.");
    expect(env.proxy.writeCalls()).toEqual([]);
  });
});

describe("bad input is refused before any AWS write (exit 2)", () => {
  const big = join("/tmp", `rolectl-big-${process.pid}.json`);
  writeFileSync(
    big,
    JSON.stringify({
      Version: "2012-10-17",
      Statement: [
        {
          Effect: "Allow",
          Principal: { Service: "x.amazonaws.com" },
          Action: Array.from({ length: 400 }, (_, i) => `s3:A${i}`),
        },
      ],
    }),
  );
  const notJson = join("/tmp", `rolectl-notjson-${process.pid}.json`);
  writeFileSync(notJson, "{ not json");
  const notPolicy = join("/tmp", `rolectl-notpolicy-${process.pid}.json`);
  writeFileSync(notPolicy, '{"hello":"world"}');
  it.each([
    ["role name with a space", ["role", "create", "bad name", "--service", "lambda"], "Invalid role name"],
    ["role name over 64", ["role", "create", "x".repeat(65), "--service", "lambda"], "Invalid role name"],
    ["unicode role name", ["role", "create", "rôle", "--service", "lambda"], "Invalid role name"],
    ["short account id", ["role", "create", "r", "--trust-account", "12345"], "Invalid account id"],
    [
      "bad external id",
      ["role", "create", "r", "--trust-account", "222222222222", "--external-id", 'a"b'],
      "Invalid external id",
    ],
    ["bad service", ["role", "create", "r", "--service", "lambda!"], "Invalid service"],
    [
      "two trust sources",
      ["role", "create", "r", "--service", "lambda", "--trust-account", "222222222222"],
      "exactly one trust source",
    ],
    ["no trust source", ["role", "create", "r"], "Missing the trust source"],
    [
      "--require-mfa with a service",
      ["role", "create", "r", "--service", "lambda", "--require-mfa"],
      "--require-mfa goes with --trust-account",
    ],
    [
      "--audience with SAML",
      ["role", "create", "r", "--saml", "arn:aws:iam::123456789012:saml-provider/Okta", "--audience", "x"],
      "--audience goes with --web-identity",
    ],
    [
      "bad managed policy",
      ["role", "create", "r", "--service", "lambda", "--managed-policy", "ReadOnlyAccess"],
      "Invalid policy ARN",
    ],
    ["bad path", ["role", "create", "r", "--service", "lambda", "--path", "team"], "Invalid path"],
    [
      "short max session",
      ["role", "create", "r", "--service", "lambda", "--max-session-duration", "600"],
      "Invalid max session duration",
    ],
    ["bad tag", ["role", "create", "r", "--service", "lambda", "--tag", "novalue"], "Invalid tag"],
    ["trust file not JSON", ["role", "create", "r", "--trust-policy", notJson], "is not valid JSON"],
    ["trust file not a policy", ["role", "create", "r", "--trust-policy", notPolicy], "is not an IAM policy"],
    ["trust file too big", ["role", "create", "r", "--trust-policy", big], "IAM allows at most 2048"],
    [
      "missing trust file",
      ["role", "create", "r", "--trust-policy", "/nonexistent.json"],
      "Cannot read /nonexistent.json",
    ],
    [
      "inline policy file not JSON",
      ["role", "create", "r", "--service", "lambda", "--inline-policy", `p=${notJson}`],
      "is not valid JSON",
    ],
    [
      "bad inline spec",
      ["role", "create", "r", "--service", "lambda", "--inline-policy", "nofile"],
      "must be NAME=FILE",
    ],
    [
      "bad oidc provider",
      ["role", "create", "r", "--web-identity", "arn:aws:iam::1:oidc/x", "--audience", "a"],
      "Invalid oidc-provider ARN",
    ],
    ["bad saml provider", ["role", "create", "r", "--saml", "Okta"], "Invalid saml-provider ARN"],
    [
      "GitHub's OIDC provider without --subject (any repository could assume it)",
      [
        ...["role", "create", "r", "--web-identity"],
        ...["arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com", "--audience", "a"],
      ],
      "can be assumed by any of its users",
    ],
    [
      "GitHub Enterprise Cloud's issuer (the shared one with a slug) without --subject",
      [
        ...["role", "create", "r", "--web-identity"],
        ...[
          "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com/acme",
          "--audience",
          "a",
        ],
      ],
      "can be assumed by any of its users",
    ],
    ["bad app id", ["amplify-service-role", "--app-id", "APP"], "Invalid Amplify app id"],
    ["bad amplify role name", ["amplify-service-role", "--role-name", "a/b"], "Invalid role name"],
    ["unknown category", ["policy", "amplify-cli", "--without", "core"], "Invalid category"],
    ["bad policy name", ["policy", "amplify-cli", "--create", "bad name"], "Invalid policy name"],
    ["attach without create", ["policy", "amplify-cli", "--attach-user", "u"], "go with --create"],
  ])("%s", async (_label, args, message) => {
    const r = await runInProcess(env.sandbox, args);
    expect(r.stderr).toContain(message);
    expect(r.code).toBe(2);
    expect(env.proxy.calls).toEqual([]); // refused before any AWS call, reads included
  });
});
