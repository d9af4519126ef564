import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  CreateAccessKeyCommand,
  CreateUserCommand,
  GetPolicyCommand,
  GetPolicyVersionCommand,
  GetRoleCommand,
  ListAccessKeysCommand,
  ListAttachedUserPoliciesCommand,
  ListMFADevicesCommand,
} from "@aws-sdk/client-iam";
import { beforeEach, describe, expect, it } from "vitest";
import { credentialsSection, iamAs, type Keys, keysFor } from "../support/accounts.js";
import { runProgram } from "../support/cli.js";
import { useE2eEnv } from "../support/env.js";
import { runInProcess } from "../support/in-process.js";
import { runInPty } from "../support/pty.js";
import { BIZ, DEV, setupArgs } from "../support/seed001.js";

const env = useE2eEnv({ managedPolicies: true });
let bizKeys: Keys;
let devKeys: Keys;

const SETUP = setupArgs(
  "--policy-arn",
  "arn:aws:iam::aws:policy/AdministratorAccess-Amplify",
  "--local-profile",
  "bizcorprole",
  "--region",
  "us-east-1",
);

const EXISTING_CONFIG = `# my AWS settings
[default]
region = eu-west-1
s3 =
  max_concurrent_requests = 20

; admin profiles
[profile bizadmin]
region = us-east-1
[profile devadmin]
region = us-east-1
`;

/** Admin credentials for both accounts, made by assuming a role in each (moto keys by account). */
async function withTwoAccounts() {
  bizKeys = await keysFor(env.moto.url, BIZ);
  devKeys = await keysFor(env.moto.url, DEV);
  env.sandbox.writeConfig(EXISTING_CONFIG);
  env.sandbox.writeCredentials(
    `${credentialsSection("bizadmin", bizKeys)}\n${credentialsSection("devadmin", devKeys)}`,
  );
  env.proxy.reset();
  env.proxy.strict = true;
}

describe("cross-account setup (the seed 001 walk-through)", () => {
  beforeEach(withTwoAccounts);

  it("creates everything in both accounts, writes the seed 001 profile, and proves it", async () => {
    const r = await env.sandbox.run([...SETUP, "--json", "--verify-mfa-code", "111111"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    const roleArn = `arn:aws:iam::${BIZ}:role/BizCorpRole`;
    expect(out.trusting.role).toMatchObject({ arn: roleArn, status: "created" });
    expect(out.verified).toEqual({
      status: "passed",
      reason: `profile bizcorprole assumed ${roleArn} (attempt 1)`,
      checks: null,
    });

    // Biz Corp: the role and its trust
    const role = (await iamAs(env.moto.url, bizKeys).send(new GetRoleCommand({ RoleName: "BizCorpRole" })))
      .Role;
    expect(JSON.parse(decodeURIComponent(role?.AssumeRolePolicyDocument ?? "")).Statement).toEqual([
      {
        Effect: "Allow",
        Principal: { AWS: `arn:aws:iam::${DEV}:root` },
        Action: "sts:AssumeRole",
        Condition: {
          StringEquals: { "sts:ExternalId": "Ext-1234567890" },
          Bool: { "aws:MultiFactorAuthPresent": "true" },
        },
      },
    ]);
    // Dev Corp: policy, user, key, MFA device
    const dev = iamAs(env.moto.url, devKeys);
    const policyArn = out.trusted.policy.arn;
    const version = await dev.send(
      new GetPolicyVersionCommand({
        PolicyArn: policyArn,
        VersionId: (await dev.send(new GetPolicyCommand({ PolicyArn: policyArn }))).Policy?.DefaultVersionId,
      }),
    );
    expect(JSON.parse(decodeURIComponent(version.PolicyVersion?.Document ?? ""))).toEqual({
      Version: "2012-10-17",
      Statement: [{ Effect: "Allow", Action: "sts:AssumeRole", Resource: roleArn }],
    });
    expect(
      (
        await dev.send(new ListAttachedUserPoliciesCommand({ UserName: "devcorpuser" }))
      ).AttachedPolicies?.map((p) => p.PolicyArn),
    ).toEqual([policyArn]);
    const keys =
      (await dev.send(new ListAccessKeysCommand({ UserName: "devcorpuser" }))).AccessKeyMetadata ?? [];
    expect(keys).toHaveLength(1);
    const devices = (await dev.send(new ListMFADevicesCommand({ UserName: "devcorpuser" }))).MFADevices ?? [];
    expect(devices.map((d) => d.SerialNumber)).toEqual([`arn:aws:iam::${DEV}:mfa/devcorpuser`]);
    expect(env.proxy.callsOf("EnableMFADevice")[0]?.params).toMatchObject({
      AuthenticationCode1: "123456",
      AuthenticationCode2: "654321",
    });

    // The local files: everything else byte for byte, the seed 001 layout appended
    const config = readFileSync(env.sandbox.configPath, "utf8");
    expect(config).toBe(
      `${EXISTING_CONFIG}\n[profile bizcorprole]\nrole_arn = ${roleArn}\nsource_profile = devcorpuser\nmfa_serial = arn:aws:iam::${DEV}:mfa/devcorpuser\nexternal_id = Ext-1234567890\nregion = us-east-1\n\n[profile devcorpuser]\nregion = us-east-1\n`,
    );
    expect(readFileSync(`${env.sandbox.configPath}.bak`, "utf8")).toBe(EXISTING_CONFIG.replace(/\n$/, "\n"));
    const creds = readFileSync(env.sandbox.credentialsPath, "utf8");
    expect(creds).toContain(
      `[devcorpuser]\naws_access_key_id = ${keys[0]?.AccessKeyId}\naws_secret_access_key = `,
    );
    expect(statSync(env.sandbox.credentialsPath).mode & 0o777).toBe(0o600);

    // The AWS CLI reads what was written
    for (const [key, value] of [
      ["role_arn", roleArn],
      ["mfa_serial", `arn:aws:iam::${DEV}:mfa/devcorpuser`],
      ["external_id", "Ext-1234567890"],
      ["source_profile", "devcorpuser"],
    ]) {
      const aws = await runProgram(
        "aws",
        ["configure", "get", key as string, "--profile", "bizcorprole"],
        env.sandbox.env,
      );
      expect(aws.stdout.trim()).toBe(value);
    }
    // The AssumeRole that proved it went through the strict proxy with external id and MFA
    const assume = env.proxy.callsOf("AssumeRole").at(-1);
    expect(assume).toMatchObject({
      answeredBy: "moto",
      params: {
        ExternalId: "Ext-1234567890",
        SerialNumber: `arn:aws:iam::${DEV}:mfa/devcorpuser`,
        TokenCode: "111111",
      },
    });
  });

  it("the written profile works only with the external id and an MFA code (strict trust)", async () => {
    await env.sandbox.run([...SETUP, "--no-verify"]);
    const ok = await env.sandbox.run([
      "assume",
      "--profile",
      "bizcorprole",
      "--mfa-code",
      "222222",
      "--json",
    ]);
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout).AssumedRoleArn).toContain(`${BIZ}:assumed-role/BizCorpRole/`);
    const noCode = await env.sandbox.run(["assume", "--profile", "bizcorprole", "--refresh"], {
      env: { CI: "true" },
    });
    expect(noCode.code).toBe(4);
    const config = readFileSync(env.sandbox.configPath, "utf8");
    env.sandbox.writeConfig(config.replace("external_id = Ext-1234567890\n", ""));
    const noExternal = await env.sandbox.run([
      "assume",
      "--profile",
      "bizcorprole",
      "--mfa-code",
      "333333",
      "--refresh",
    ]);
    expect(noExternal.code).toBe(4);
    expect(noExternal.stderr).toContain("not authorized to perform: sts:AssumeRole");
  });

  it("is idempotent: a second run changes nothing and says so; adding --require-mfa later converges", async () => {
    const withoutMfa = SETUP.filter((a) => a !== "--require-mfa");
    expect((await env.sandbox.run([...withoutMfa, "--no-verify"])).code).toBe(0);
    const config = readFileSync(env.sandbox.configPath, "utf8");
    env.proxy.reset();
    const again = await env.sandbox.run([...withoutMfa, "--no-verify", "--json"]);
    expect(again.stderr).toBe("");
    const out = JSON.parse(again.stdout);
    expect(out.trusting.role.status).toBe("unchanged");
    expect(out.trusted).toMatchObject({
      user: { status: "exists" },
      policy: { status: "unchanged", attached: false },
      accessKey: { status: "exists" },
      mfa: { status: "exists" },
    });
    expect(out.profile.files).toEqual([`unchanged [profile bizcorprole] in ${env.sandbox.configPath}`]);
    expect(env.proxy.writeCalls()).toEqual([]);
    expect(readFileSync(env.sandbox.configPath, "utf8")).toBe(config);
    const converged = JSON.parse((await env.sandbox.run([...SETUP, "--no-verify", "--json"])).stdout);
    expect(converged.trusting.role).toMatchObject({
      status: "updated",
      actions: [
        {
          description: "replace the trust policy (it differs from the desired one)",
          operation: "iam:UpdateAssumeRolePolicy",
          target: "BizCorpRole",
        },
      ],
    });
  });

  it("--dry-run shows every call and file edit without making them", async () => {
    const r = await env.sandbox.run([...SETUP, "--dry-run"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("role        arn:aws:iam::111111111111:role/BizCorpRole (would create)");
    expect(r.stdout).toContain("user        devcorpuser (would create)");
    expect(r.stdout).toContain(
      `would write [profile bizcorprole] and [profile devcorpuser] to ${env.sandbox.configPath}`,
    );
    expect(r.stdout).toContain(`would write [devcorpuser] to ${env.sandbox.credentialsPath}`);
    expect(env.proxy.writeCalls()).toEqual([]);
    expect(readFileSync(env.sandbox.configPath, "utf8")).toBe(EXISTING_CONFIG);
  });

  it("refuses to overwrite a different local profile (exit 5, masked diff) unless --force, before touching AWS", async () => {
    env.sandbox.writeConfig(
      `${EXISTING_CONFIG}[profile bizcorprole]\nrole_arn = arn:aws:iam::${BIZ}:role/OtherRole\nsource_profile = devcorpuser\n`,
    );
    const r = await env.sandbox.run([...SETUP, "--no-verify"]);
    expect(r.code).toBe(5);
    expect(r.stderr).toContain(
      `role_arn: arn:aws:iam::${BIZ}:role/OtherRole -> arn:aws:iam::${BIZ}:role/BizCorpRole`,
    );
    expect(env.proxy.writeCalls()).toEqual([]);
    expect((await env.sandbox.run([...SETUP, "--no-verify", "--force"])).code).toBe(0);
  });

  it("both profiles in one account: allowed, with a warning", async () => {
    env.sandbox.writeCredentials(
      `${credentialsSection("bizadmin", bizKeys)}\n${credentialsSection("devadmin", bizKeys)}`,
    );
    const r = await env.sandbox.run([...SETUP, "--no-verify"]);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(`warning: Both profiles are in account ${BIZ}`);
  });

  it("refuses a third access key, explaining the limit", async () => {
    const dev = iamAs(env.moto.url, devKeys);
    await dev.send(new CreateUserCommand({ UserName: "devcorpuser" }));
    await dev.send(new CreateAccessKeyCommand({ UserName: "devcorpuser" }));
    await dev.send(new CreateAccessKeyCommand({ UserName: "devcorpuser" }));
    env.proxy.reset();
    env.proxy.strict = true;
    const r = await env.sandbox.run([...SETUP, "--no-verify"]);
    expect(r.code).toBe(5);
    expect(r.stderr).toContain("already has 2 access keys");
    expect(r.stderr).toContain("IAM allows no more");
    // Refused from reads alone: no role, policy, user or key was made, and no file written.
    expect(env.proxy.writeCalls()).toEqual([]);
    expect(env.proxy.calls.length).toBeGreaterThan(0);
    expect(readFileSync(env.sandbox.configPath, "utf8")).toBe(EXISTING_CONFIG);
  });

  it("with --mfa-seed-out, computes the enabling codes itself and writes the seed 0600; never to stderr", async () => {
    const seedFile = join(env.sandbox.dir, "seed.txt");
    const args = SETUP.filter((a) => a !== "--mfa-codes" && a !== "123456,654321");
    const r = await env.sandbox.run([...args, "--mfa-seed-out", seedFile, "--no-verify", "--debug"]);
    expect(r.code).toBe(0);
    const seed = readFileSync(seedFile, "utf8").trim();
    expect(seed).toMatch(/^[A-Z2-7]{16,}$/);
    expect(statSync(seedFile).mode & 0o777).toBe(0o600);
    expect(r.stderr).not.toContain(seed);
    expect(r.stdout).not.toContain(seed);
    const enable = env.proxy.callsOf("EnableMFADevice")[0]?.params;
    expect(enable?.AuthenticationCode1).toMatch(/^\d{6}$/);
    expect(enable?.AuthenticationCode2).not.toBe(enable?.AuthenticationCode1);
    const secret =
      readFileSync(env.sandbox.credentialsPath, "utf8")
        .match(/aws_secret_access_key = (\S+)/g)
        ?.at(-1)
        ?.split(" = ")[1] ?? "";
    expect(r.stderr).not.toContain(secret);
  });

  it("the sub-steps work alone, for two different people", async () => {
    env.sandbox.writeConfig(EXISTING_CONFIG);
    const trust = await env.sandbox.run([
      "cross-account",
      "trust-role",
      "--profile",
      "bizadmin",
      "--role-name",
      "BizCorpRole",
      "--trusted-account",
      DEV,
      "--generate-external-id",
      "--require-mfa",
      "--amplify-cli-policy",
      "--json",
    ]);
    expect(trust.code).toBe(0);
    const t = JSON.parse(trust.stdout);
    expect(t.externalId).toMatch(/^[\w-]{32}$/);
    expect(t.next).toContain(`--role-arn arn:aws:iam::${BIZ}:role/BizCorpRole`);
    const keyFile = join(env.sandbox.dir, "devcorpuser.key");
    const seedFile = join(env.sandbox.dir, "devcorpuser.seed");
    const grant = await env.sandbox.run([
      "cross-account",
      "grant-user",
      "--profile",
      "devadmin",
      "--role-arn",
      t.role.arn,
      "--user",
      "devcorpuser",
      "--create-access-key",
      "--mfa",
      "--mfa-codes",
      "123456,654321",
      "--access-key-out",
      keyFile,
      "--mfa-seed-out",
      seedFile,
      "--json",
    ]);
    expect(grant.code).toBe(0);
    const g = JSON.parse(grant.stdout);
    // The secrets went to the files the admin named (0600), not into the JSON on stdout.
    const secret = /aws_secret_access_key = (\S+)/.exec(readFileSync(keyFile, "utf8"))?.[1] ?? "";
    const seed = readFileSync(seedFile, "utf8").trim();
    expect(secret).toMatch(/^\S{20,}$/);
    expect(seed).toMatch(/^[A-Z2-7]{32,}$/);
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    expect(statSync(seedFile).mode & 0o777).toBe(0o600);
    expect(grant.stdout).not.toContain(secret);
    expect(grant.stdout).not.toContain(seed);
    expect(g.accessKey.storedIn).toBe(`[devcorpuser] in ${keyFile}`);
    expect(g.mfa.seedFile).toBe(seedFile);
    const write = await env.sandbox.run(
      [
        "cross-account",
        "write-profile",
        "--local-profile",
        "bizcorprole",
        "--role-arn",
        t.role.arn,
        "--source-profile",
        "devcorpuser",
        "--mfa-serial",
        g.mfa.serial,
        "--external-id",
        t.externalId,
        "--region",
        "us-east-1",
        "--access-key-id",
        g.accessKey.accessKeyId,
      ],
      { env: { ROLECTL_SECRET_ACCESS_KEY: secret } },
    );
    expect(write.code).toBe(0);
    const ok = await env.sandbox.run([
      "assume",
      "--profile",
      "bizcorprole",
      "--mfa-code",
      "444444",
      "--json",
    ]);
    expect(ok.code).toBe(0);
  });

  it("the wizard asks only for what the flags left out", async () => {
    const r = await runInPty(
      [
        "cross-account",
        "setup",
        "--trusting-profile",
        "bizadmin",
        "--trusted-profile",
        "devadmin",
        "--role-name",
        "BizCorpRole",
        "--user",
        "devcorpuser",
        "--no-verify",
      ],
      env.sandbox.env,
      [
        { expect: /External id:/, send: "\r" },
        { expect: /Require MFA\?/, send: "n\r" },
        { expect: /Permissions for the role:/, send: "\r" },
        { expect: /virtual MFA device\?/, send: "n\r" },
        { expect: /Create an access key/, send: "y\r" },
        { expect: /Go ahead\?/, send: "y\r" },
      ],
    );
    expect(r.screen).not.toContain("Role name in the trusting account");
    expect(r.screen).not.toContain("IAM user in the trusted account");
    expect(r.code).toBe(0);
    expect(r.screen).toMatch(/external id [\w-]{32} {2}\(generated; also in the profile\)/);
    const role = (await iamAs(env.moto.url, bizKeys).send(new GetRoleCommand({ RoleName: "BizCorpRole" })))
      .Role;
    expect(decodeURIComponent(role?.AssumeRolePolicyDocument ?? "")).toContain("sts:ExternalId");
  });
});

describe("cross-account write-profile and the files it shares", () => {
  it("the wizard offers the known profiles as a list, saying what each is", async () => {
    env.sandbox.writeConfig(
      `[profile bizadmin]\nrole_arn = arn:aws:iam::111122223333:role/Admin\nsource_profile = devcorpuser\n`,
    );
    env.sandbox.writeCredentials(
      "[devcorpuser]\naws_access_key_id = AKIAEXAMPLE\naws_secret_access_key = x\n",
    );
    const r = await runInPty(
      [
        "cross-account",
        "write-profile",
        "--role-arn",
        `arn:aws:iam::${BIZ}:role/BizCorpRole`,
        "--local-profile",
        "bizcorprole",
      ],
      env.sandbox.env,
      [{ expect: /Source profile/, send: "\u001b[B\r" }],
    );
    expect(r.code).toBe(0);
    expect(r.screen).toContain("bizadmin  (role in account 111122223333)");
    expect(r.screen).toContain("devcorpuser  (access keys)");
    expect(r.screen).toContain("Another name (type it)");
    expect(readFileSync(env.sandbox.configPath, "utf8")).toContain(
      `[profile bizcorprole]\nrole_arn = arn:aws:iam::${BIZ}:role/BizCorpRole\nsource_profile = devcorpuser\n`,
    );
  });

  it("--region sets the role profile's region and leaves the source profile's own region alone", async () => {
    env.sandbox.writeConfig("[profile devcorpuser]\nregion = us-west-2\n");
    const r = await env.sandbox.run([
      "cross-account",
      "write-profile",
      "--role-arn",
      `arn:aws:iam::${BIZ}:role/BizCorpRole`,
      "--source-profile",
      "devcorpuser",
      "--region",
      "eu-west-1",
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(env.sandbox.configPath, "utf8")).toBe(
      `[profile devcorpuser]\nregion = us-west-2\n\n[profile bizcorprole]\nrole_arn = arn:aws:iam::${BIZ}:role/BizCorpRole\nsource_profile = devcorpuser\nregion = eu-west-1\n`,
    );
  });
});

describe("cross-account bad input (nothing written anywhere)", () => {
  // Refused before any AWS call, so the two accounts need not exist: keys of the right shape do.
  beforeEach(() => {
    env.sandbox.writeConfig(EXISTING_CONFIG);
    const fake = (id: string) => ({ accessKeyId: `AKIAFAKE${id}`, secretAccessKey: "not-used" });
    env.sandbox.writeCredentials(
      `${credentialsSection("bizadmin", fake("BIZ00001"))}\n${credentialsSection("devadmin", fake("DEV00001"))}`,
    );
    env.proxy.reset();
  });

  it.each([
    [
      "a non-12-digit account",
      ["cross-account", "trust-role", "--role-name", "R", "--trusted-account", "12345"],
      2,
      "Invalid account id",
    ],
    [
      "a bad external id",
      SETUP.map((a) => (a === "Ext-1234567890" ? "has space" : a)),
      2,
      "Invalid external id",
    ],
    [
      "codes that are not 6 digits",
      SETUP.map((a) => (a === "123456,654321" ? "12345,654321" : a)),
      2,
      "must be exactly 6 digits",
    ],
    [
      "two equal codes",
      SETUP.map((a) => (a === "123456,654321" ? "123456,123456" : a)),
      2,
      "two different, consecutive codes",
    ],
    ["one code", SETUP.map((a) => (a === "123456,654321" ? "123456" : a)), 2, "must be two codes"],
    [
      "a role ARN of the wrong shape",
      ["cross-account", "grant-user", "--role-arn", "arn:aws:iam::1:role/x", "--user", "u"],
      2,
      "Invalid role ARN",
    ],
    [
      "missing --trusting-profile",
      [
        "cross-account",
        "setup",
        "--no-input",
        "--trusted-profile",
        "devadmin",
        "--role-name",
        "R",
        "--user",
        "u",
      ],
      2,
      "Missing required value --trusting-profile",
    ],
  ])("%s", async (_label, args, code, message) => {
    const r = await runInProcess(env.sandbox, args as string[]);
    expect(r.stderr).toContain(message);
    expect(r.code).toBe(code);
    expect(env.proxy.calls).toEqual([]); // refused before any AWS call, reads included
    expect(readFileSync(env.sandbox.configPath, "utf8")).toBe(EXISTING_CONFIG);
  });

  it("a malformed config file names file and line (exit 3)", async () => {
    env.sandbox.writeConfig(`${EXISTING_CONFIG}oops no equals\n`);
    const r = await env.sandbox.run([...SETUP, "--no-verify"]);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain(`${env.sandbox.configPath}:12: expected "key = value"`);
    expect(env.proxy.writeCalls()).toEqual([]);
  });

  // Root writes through a 0500 directory, so the case only exists for other users (a skip shows).
  it.skipIf(process.getuid?.() === 0)(
    "an unwritable config directory is a clear error and leaves the file as it was",
    async () => {
      const dir = join(env.sandbox.dir, "ro");
      mkdirSync(dir);
      writeFileSync(join(dir, "config"), EXISTING_CONFIG);
      chmodSync(dir, 0o500);
      const r = await env.sandbox.run(
        [
          "cross-account",
          "write-profile",
          "--local-profile",
          "p",
          "--role-arn",
          `arn:aws:iam::${BIZ}:role/BizCorpRole`,
          "--source-profile",
          "devcorpuser",
        ],
        { env: { AWS_CONFIG_FILE: join(dir, "config") } },
      );
      chmodSync(dir, 0o700);
      expect(r.code).toBe(3);
      expect(readFileSync(join(dir, "config"), "utf8")).toBe(EXISTING_CONFIG);
    },
  );
});
