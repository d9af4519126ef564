import { readFileSync } from "node:fs";
import {
  DeactivateMFADeviceCommand,
  DetachUserPolicyCommand,
  ListAttachedUserPoliciesCommand,
  PutUserPolicyCommand,
} from "@aws-sdk/client-iam";
import { beforeEach, describe, expect, it } from "vitest";
import { createTrustingRole, iamAs, type Keys } from "../support/accounts.js";
import { useE2eEnv } from "../support/env.js";
import { BIZ, DEV, setupArgs, twoAdmins } from "../support/seed001.js";

// `rolectl doctor` (issue 19) on seed 001's profile: all green when it works, and for each way
// it breaks, the check that names the cause. Reads only: never an AssumeRole.

const env = useE2eEnv({ managedPolicies: true });
let keys: { biz: Keys; dev: Keys };

beforeEach(async () => {
  keys = await twoAdmins(env);
  env.sandbox.writeConfig("[profile bizadmin]\nregion = us-east-1\n[profile devadmin]\nregion = us-east-1\n");
  const setup = await env.sandbox.run(
    setupArgs("--local-profile", "bizcorprole", "--no-verify", "--region", "us-east-1"),
  );
  expect(setup.code, setup.stderr).toBe(0);
  env.proxy.reset();
});

type Report = {
  ok: boolean;
  checks: { check: string; ok: boolean; skipped?: boolean; detail: string; fix?: string }[];
};
const doctor = async (profile = "bizcorprole") => {
  const r = await env.sandbox.run([
    "doctor",
    "--profile",
    profile,
    "--trusting-profile",
    "bizadmin",
    "--json",
  ]);
  const report = JSON.parse(r.stdout) as Report;
  expect(env.proxy.callsOf("AssumeRole")).toEqual([]);
  expect(env.proxy.writeCalls()).toEqual([]);
  return { code: r.code, report, failed: report.checks.find((c) => !c.ok) };
};
/** The user may assume any role (so that only the role's side can fail). */
const allowAnyRole = () =>
  iamAs(env.moto.url, keys.dev).send(
    new PutUserPolicyCommand({
      UserName: "devcorpuser",
      PolicyName: "any-role",
      PolicyDocument: JSON.stringify({
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Action: "sts:AssumeRole", Resource: "arn:aws:iam::*:role/*" }],
      }),
    }),
  );
const editProfile = (from: RegExp, to: string) => {
  const text = readFileSync(env.sandbox.configPath, "utf8");
  expect(text).toMatch(from);
  env.sandbox.writeConfig(text.replace(from, to));
};

describe("rolectl doctor", () => {
  it("the working seed profile: every check passes, exit 0", async () => {
    const { code, report } = await doctor();
    expect(code).toBe(0);
    expect(report.ok).toBe(true);
    expect(report.checks.map((c) => [c.check, c.ok, c.skipped ?? false])).toEqual([
      ["source credentials", true, false],
      ["clock", true, false],
      ["permission to assume", true, false],
      ["MFA device", true, false],
      ["role and trust", true, false],
    ]);
  });

  it("a wrong external id: the trust check fails, naming the key and the fix (exit 4)", async () => {
    editProfile(/external_id = Ext-1234567890/, "external_id = Ext-wrong-000");
    const { code, failed } = await doctor();
    expect(code).toBe(4);
    expect(failed?.check).toBe("role and trust");
    expect(failed?.detail).toContain('sts:ExternalId is "Ext-wrong-000"');
    expect(failed?.fix).toContain("external_id");
  });

  it("no MFA in the profile for a role that requires it", async () => {
    editProfile(/mfa_serial = \S+\n/, "");
    const { failed } = await doctor();
    expect(failed?.check).toBe("role and trust");
    expect(failed?.fix).toContain("mfa_serial");
  });

  it("the MFA device is not enabled for the user", async () => {
    await iamAs(env.moto.url, keys.dev).send(
      new DeactivateMFADeviceCommand({
        UserName: "devcorpuser",
        SerialNumber: `arn:aws:iam::${DEV}:mfa/devcorpuser`,
      }),
    );
    const { failed } = await doctor();
    expect(failed?.check).toBe("MFA device");
    expect(failed?.detail).toContain("is not an enabled device of user devcorpuser");
  });

  it("the source user has no policy allowing sts:AssumeRole", async () => {
    const iam = iamAs(env.moto.url, keys.dev);
    const attached = await iam.send(new ListAttachedUserPoliciesCommand({ UserName: "devcorpuser" }));
    for (const p of attached.AttachedPolicies ?? [])
      await iam.send(new DetachUserPolicyCommand({ UserName: "devcorpuser", PolicyArn: p.PolicyArn }));
    const { failed } = await doctor();
    expect(failed?.check).toBe("permission to assume");
    expect(failed?.fix).toContain("grant-user");
  });

  it("a role that trusts another account", async () => {
    await createTrustingRole(env.moto.url, keys.biz, {
      name: "ElsewhereRole",
      trustedAccount: "333333333333",
    });
    await allowAnyRole();
    editProfile(/role\/BizCorpRole/, "role/ElsewhereRole");
    const { failed } = await doctor();
    expect(failed?.check).toBe("role and trust");
    expect(failed?.detail).toContain("does not name arn:aws:iam::222222222222:user/devcorpuser");
    expect(failed?.fix).toContain("--trust-account 222222222222");
  });

  it("a role that does not exist", async () => {
    await allowAnyRole();
    editProfile(/role\/BizCorpRole/, "role/NoSuchRole");
    const { failed } = await doctor();
    expect(failed?.check).toBe("role and trust");
    expect(failed?.detail).toBe(`arn:aws:iam::${BIZ}:role/NoSuchRole does not exist`);
  });
});

describe("rolectl doctor --try", () => {
  it("calls AssumeRole after the checks; a refusal is matched to the failed check", async () => {
    env.proxy.strict = true;
    const args = ["doctor", "--profile", "bizcorprole", "--trusting-profile", "bizadmin", "--try", "--json"];
    const ok = await env.sandbox.run([...args, "--mfa-code", "123456"]);
    expect(ok.code, ok.stderr).toBe(0);
    expect((JSON.parse(ok.stdout) as Report).checks.at(-1)).toMatchObject({
      check: "assume (--try)",
      ok: true,
    });
    editProfile(/external_id = Ext-1234567890/, "external_id = Ext-wrong-000");
    const bad = await env.sandbox.run([...args, "--mfa-code", "654321"]);
    expect(bad.code).toBe(4);
    const last = (JSON.parse(bad.stdout) as Report).checks.at(-1);
    expect(last).toMatchObject({ check: "assume (--try)", ok: false });
    expect(last?.detail).toContain('matches the failed check "role and trust"');
    expect(env.proxy.callsOf("AssumeRole")).toHaveLength(2);
  });

  it("--role-arn checks an ad-hoc role with the profile as its source", async () => {
    const r = await env.sandbox.run([
      "doctor",
      "--profile",
      "devcorpuser",
      "--role-arn",
      `arn:aws:iam::${BIZ}:role/BizCorpRole`,
      "--trusting-profile",
      "bizadmin",
      "--json",
    ]);
    const report = JSON.parse(r.stdout) as Report;
    // Without --external-id and --mfa-serial the role's trust refuses: doctor says which.
    expect(report.checks.find((c) => !c.ok)?.check).toBe("role and trust");
    expect(r.code).toBe(4);
  });
});
