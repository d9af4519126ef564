import { readFileSync } from "node:fs";
import { CreateUserCommand } from "@aws-sdk/client-iam";
import { describe, expect, it } from "vitest";
import { iamAs } from "../support/accounts.js";
import { useE2eEnv } from "../support/env.js";
import { SETUP_WRITES, setupArgs, twoAdmins } from "../support/seed001.js";

// Plan -> apply everywhere provisioning happens: what --dry-run prints is the plan, and apply
// then does exactly that, in that order. Each case runs the command twice, --dry-run first
// (no write recorded), then for real, and compares the two "actions" lists.

const env = useE2eEnv({ managedPolicies: true });

async function dryRunThenApply(args: string[], extraEnv: Record<string, string> = {}) {
  const dry = await env.sandbox.run([...args, "--dry-run", "--json"], { env: extraEnv });
  expect(dry.code, dry.stderr).toBe(0);
  expect(env.proxy.writeCalls()).toEqual([]);
  const applied = await env.sandbox.run([...args, "--json"], { env: extraEnv });
  expect(applied.code, applied.stderr).toBe(0);
  type Action = { description: string; operation: string; target: string };
  const planned = (JSON.parse(dry.stdout) as { actions: Action[] }).actions;
  const done = (JSON.parse(applied.stdout) as { actions: Action[] }).actions;
  expect(planned.length).toBeGreaterThan(0);
  expect(done).toEqual(planned);
  const writes = env.proxy.writeCalls().map((c) => c.action);
  // The structured side of each action names the call that then happened, in that order.
  for (const a of planned) expect(a.target).not.toBe("");
  expect(
    planned
      .map((a) => a.operation)
      .filter((op) => /^(iam|amplify):/.test(op))
      .map((op) => op.split(":")[1]),
  ).toEqual(writes);
  return {
    plan: planned.map((a) => a.description),
    actions: planned,
    writes,
    stdout: dry.stdout + applied.stdout,
  };
}

describe("--dry-run prints the plan that apply then executes", () => {
  it("amplify-service-role", async () => {
    const { plan, writes } = await dryRunThenApply(["amplify-service-role", "--tag", "team=web"]);
    expect(plan).toHaveLength(2);
    expect(writes).toEqual(["CreateRole", "AttachRolePolicy"]);
  });

  it("amplify-service-role --app-id: the app's UpdateApp is part of the plan", async () => {
    env.proxy.amplifyApps.set("d1shop", { appId: "d1shop", name: "shop" });
    const { plan, writes } = await dryRunThenApply(["amplify-service-role", "--app-id", "d1shop"]);
    expect(plan.at(-1)).toBe(
      "set the service role of Amplify app shop (d1shop) to arn:aws:iam::123456789012:role/AmplifyConsoleServiceRole-AmplifyRole",
    );
    expect(writes).toEqual(["CreateRole", "AttachRolePolicy", "UpdateApp"]);
  });

  it("amplify-compute-role --branch: the branch's UpdateBranch is part of the plan", async () => {
    env.proxy.amplifyApps.set("d1ssr", { appId: "d1ssr", name: "store", branches: { main: {} } });
    const { plan, writes } = await dryRunThenApply([
      "amplify-compute-role",
      "--app-id",
      "d1ssr",
      "--branch",
      "main",
      "--managed-policy",
      "arn:aws:iam::aws:policy/ReadOnlyAccess",
    ]);
    expect(plan.at(-1)).toBe(
      "set the SSR compute role of branch main of Amplify app store (d1ssr) to arn:aws:iam::123456789012:role/AmplifySSRCompute-d1ssr-main",
    );
    expect(writes).toEqual(["CreateRole", "AttachRolePolicy", "UpdateBranch"]);
  });

  it("role create", async () => {
    const { writes } = await dryRunThenApply([
      "role",
      "create",
      "deployer",
      "--service",
      "lambda",
      "--managed-policy",
      "arn:aws:iam::aws:policy/ReadOnlyAccess",
    ]);
    expect(writes).toEqual(["CreateRole", "AttachRolePolicy"]);
  });

  it("policy amplify-cli --create --attach-user, and again after the document changes", async () => {
    await iamAs(env.moto.url).send(new CreateUserCommand({ UserName: "dev" }));
    const { plan, writes } = await dryRunThenApply([
      "policy",
      "amplify-cli",
      "--create",
      "AmpCli",
      "--attach-user",
      "dev",
    ]);
    expect(plan).toEqual([
      "create managed policy AmpCli",
      "attach arn:aws:iam::123456789012:policy/AmpCli to user dev",
    ]);
    expect(writes).toEqual(["CreatePolicy", "AttachUserPolicy"]);
    env.proxy.reset();
    const next = await dryRunThenApply(["policy", "amplify-cli", "--without", "auth", "--create", "AmpCli"]);
    expect(next.plan).toEqual(["make a new default version of AmpCli (the document differs)"]);
    expect(next.writes).toEqual(["CreatePolicyVersion"]);
  });

  it("service-linked-role create", async () => {
    const { writes } = await dryRunThenApply(["slr", "create", "--service", "autoscaling"]);
    expect(writes).toEqual(["CreateServiceLinkedRole"]);
  });

  it("service-linked-role update-description and delete", async () => {
    const made = await env.sandbox.run(["slr", "create", "--service", "autoscaling", "--json"]);
    const name = (JSON.parse(made.stdout) as { name: string }).name;
    env.proxy.reset();
    const described = await dryRunThenApply(["slr", "update-description", name, "--description", "web"]);
    expect(described.plan).toEqual([`set the description of ${name}`]);
    expect(described.writes).toEqual(["UpdateRoleDescription"]);
    env.proxy.reset();
    const deleted = await dryRunThenApply(["slr", "delete", name, "--yes"]);
    expect(deleted.plan).toEqual([`delete ${name}`]);
    expect(deleted.writes).toEqual(["DeleteServiceLinkedRole"]);
  });

  it("role delete", async () => {
    expect(
      (
        await env.sandbox.run([
          "role",
          "create",
          "old",
          "--service",
          "lambda",
          "--managed-policy",
          "arn:aws:iam::aws:policy/ReadOnlyAccess",
        ])
      ).code,
    ).toBe(0);
    env.proxy.reset();
    const { plan, writes } = await dryRunThenApply(["role", "delete", "old", "--yes"]);
    expect(plan).toHaveLength(2);
    expect(writes).toEqual(["DetachRolePolicy", "DeleteRole"]);
  });

  it("cross-account trust-role and write-profile (no secret in either JSON)", async () => {
    const trust = await dryRunThenApply([
      "cross-account",
      "trust-role",
      "--no-input",
      "--role-name",
      "BizCorpRole",
      "--trusted-account",
      "222222222222",
      "--external-id",
      "Ext-1234567890",
      "--admin",
    ]);
    expect(trust.writes).toEqual(["CreateRole", "AttachRolePolicy"]);
    env.proxy.reset();
    const secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
    const write = await dryRunThenApply(
      [
        "cross-account",
        "write-profile",
        "--role-arn",
        "arn:aws:iam::123456789012:role/BizCorpRole",
        "--source-profile",
        "devcorpuser",
        "--access-key-id",
        "AKIAIOSFODNN7EXAMPLE",
      ],
      { ROLECTL_SECRET_ACCESS_KEY: secret },
    );
    expect(write.plan).toHaveLength(2);
    expect(write.writes).toEqual([]);
    expect(write.stdout).toContain('"profile": "bizcorprole"');
    expect(write.stdout).not.toContain(secret);
    expect(readFileSync(env.sandbox.credentialsPath, "utf8")).toContain(secret);
  });

  it("cross-account setup and grant-user", async () => {
    await twoAdmins(env);
    const setup = setupArgs("--admin", "--no-verify");
    const { plan, writes } = await dryRunThenApply(setup);
    expect(plan.filter((a) => a.startsWith("account 111111111111: "))).toHaveLength(2);
    expect(plan.filter((a) => a.startsWith("account 222222222222: "))).toHaveLength(6);
    expect(plan.filter((a) => a.startsWith("write "))).toHaveLength(2);
    expect(writes).toEqual(SETUP_WRITES);
    env.proxy.reset();
    const again = await dryRunThenApply([
      "cross-account",
      "grant-user",
      "--no-input",
      "--profile",
      "devadmin",
      "--role-arn",
      "arn:aws:iam::111111111111:role/OtherRole",
      "--user",
      "seconduser",
      "--create-access-key",
    ]);
    expect(again.writes).toEqual(["CreatePolicy", "CreateUser", "AttachUserPolicy", "CreateAccessKey"]);
  });
});
