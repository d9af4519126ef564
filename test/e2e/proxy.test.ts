import { CreateRoleCommand, IAMClient } from "@aws-sdk/client-iam";
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { describe, expect, it } from "vitest";
import { useE2eEnv } from "../support/env.js";

// The harness itself: what the e2e tests rely on must be shown to work (and to fail).

const env = useE2eEnv();
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";

const creds = (id = "AKIAIOSFODNN7DEFAULT") => ({ accessKeyId: id, secretAccessKey: "secret" });
const sts = (maxAttempts = 1, id?: string) =>
  new STSClient({ region: "us-east-1", endpoint: env.proxy.url, credentials: creds(id), maxAttempts });
const iam = () =>
  new IAMClient({ region: "us-east-1", endpoint: env.proxy.url, credentials: creds(), maxAttempts: 1 });

const trust = (statement: Record<string, unknown>) =>
  JSON.stringify({
    Version: "2012-10-17",
    Statement: [{ Effect: "Allow", Action: "sts:AssumeRole", ...statement }],
  });

describe("recording", () => {
  it("records service, action and parameters of query-protocol calls", async () => {
    await iam().send(
      new CreateRoleCommand({
        RoleName: "Rec",
        AssumeRolePolicyDocument: trust({ Principal: { Service: "lambda.amazonaws.com" } }),
      }),
    );
    await sts().send(new GetCallerIdentityCommand({}));
    expect(env.proxy.calls.map((c) => [c.service, c.action, c.status])).toEqual([
      ["iam", "CreateRole", 200],
      ["sts", "GetCallerIdentity", 200],
    ]);
    expect(env.proxy.calls[0]?.params.RoleName).toBe("Rec");
    expect(env.proxy.calls[0]?.accessKeyId).toBe("AKIAIOSFODNN7DEFAULT");
    expect(env.proxy.writeCalls().map((c) => c.action)).toEqual(["CreateRole"]);
  });
});

describe("faults", () => {
  it.each([
    ["throttle", "Throttling", 400],
    ["error500", "ServiceFailure", 500],
    ["accessDenied", "AccessDenied", 403],
    ["expiredToken", "ExpiredToken", 400],
  ] as const)("%s answers %s", async (kind, name, status) => {
    env.proxy.inject("GetCallerIdentity", { kind });
    const err = await sts()
      .send(new GetCallerIdentityCommand({}))
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ name, $metadata: { httpStatusCode: status } });
  });

  it("limits a fault to the first N calls, then lets calls through", async () => {
    env.proxy.inject("GetCallerIdentity", { kind: "throttle" }, 2);
    const out = await sts(4).send(new GetCallerIdentityCommand({}));
    expect(out.Account).toBe("123456789012");
    expect(env.proxy.callsOf("GetCallerIdentity").map((c) => c.answeredBy)).toEqual([
      "throttle",
      "throttle",
      "moto",
    ]);
  });

  it("delays and resets connections", async () => {
    env.proxy.inject("GetCallerIdentity", { kind: "delay", ms: 300 }, 1);
    const started = Date.now();
    await sts().send(new GetCallerIdentityCommand({}));
    expect(Date.now() - started).toBeGreaterThanOrEqual(280);
    env.proxy.inject("GetCallerIdentity", { kind: "reset" }, 1);
    await expect(sts().send(new GetCallerIdentityCommand({}))).rejects.toThrow();
  });

  it("answers a canned response", async () => {
    env.proxy.inject("GetCallerIdentity", {
      kind: "respond",
      status: 200,
      body: "<GetCallerIdentityResponse><GetCallerIdentityResult><Account>999999999999</Account><Arn>arn:aws:iam::999999999999:user/canned</Arn><UserId>X</UserId></GetCallerIdentityResult></GetCallerIdentityResponse>",
    });
    expect((await sts().send(new GetCallerIdentityCommand({}))).Account).toBe("999999999999");
  });
});

describe("strict mode on AssumeRole", () => {
  const roleArn = "arn:aws:iam::123456789012:role/Strict";
  const assume = (extra: Record<string, string> = {}) =>
    sts().send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: "s1", ...extra }));

  it("enforces external id and MFA, and refuses a reused code", async () => {
    await iam().send(
      new CreateRoleCommand({
        RoleName: "Strict",
        AssumeRolePolicyDocument: trust({
          Principal: { AWS: "arn:aws:iam::123456789012:root" },
          Condition: {
            StringEquals: { "sts:ExternalId": "Ext-1" },
            Bool: { "aws:MultiFactorAuthPresent": "true" },
          },
        }),
      }),
    );
    const mfa = { SerialNumber: "arn:aws:iam::123456789012:mfa/u", TokenCode: "123456" };
    // moto alone lets anything through
    await expect(assume()).resolves.toBeTruthy();
    env.proxy.strict = true;
    await expect(assume()).rejects.toMatchObject({ name: "AccessDenied" });
    await expect(assume({ ExternalId: "Ext-1" })).rejects.toMatchObject({ name: "AccessDenied" });
    await expect(assume({ ExternalId: "wrong", ...mfa })).rejects.toMatchObject({ name: "AccessDenied" });
    await expect(assume({ ExternalId: "Ext-1", ...mfa })).resolves.toMatchObject({
      Credentials: expect.anything(),
    });
    await expect(assume({ ExternalId: "Ext-1", ...mfa })).rejects.toThrow(/MFA one time pass code/);
    expect(env.proxy.callsOf("AssumeRole").map((c) => c.answeredBy)).toEqual([
      "moto",
      "strict",
      "strict",
      "strict",
      "moto",
      "strict",
    ]);
  });

  it("denies a caller from an account the role does not trust, and a missing role", async () => {
    await iam().send(
      new CreateRoleCommand({
        RoleName: "Strict",
        AssumeRolePolicyDocument: trust({ Principal: { AWS: "arn:aws:iam::222222222222:root" } }),
      }),
    );
    env.proxy.strict = true;
    await expect(assume()).rejects.toMatchObject({ name: "AccessDenied" });
    await expect(
      sts().send(
        new AssumeRoleCommand({ RoleArn: "arn:aws:iam::123456789012:role/Missing", RoleSessionName: "s1" }),
      ),
    ).rejects.toMatchObject({ name: "AccessDenied" });
  });
});

describe("Amplify", () => {
  it("plays GetApp/UpdateApp from the in-memory table", async () => {
    const { AmplifyClient, GetAppCommand, UpdateAppCommand } = await import("@aws-sdk/client-amplify");
    const amplify = new AmplifyClient({
      region: "us-east-1",
      endpoint: env.proxy.url,
      credentials: creds(),
      maxAttempts: 1,
    });
    env.proxy.amplifyApps.set("d1abc", { appId: "d1abc", name: "shop" });
    expect((await amplify.send(new GetAppCommand({ appId: "d1abc" }))).app?.name).toBe("shop");
    await amplify.send(
      new UpdateAppCommand({ appId: "d1abc", iamServiceRoleArn: "arn:aws:iam::123456789012:role/R" }),
    );
    expect(env.proxy.amplifyApps.get("d1abc")?.iamServiceRoleArn).toBe("arn:aws:iam::123456789012:role/R");
    expect(env.proxy.callsOf("UpdateApp")[0]?.params).toMatchObject({
      appId: "d1abc",
      iamServiceRoleArn: "arn:aws:iam::123456789012:role/R",
    });
    await expect(amplify.send(new GetAppCommand({ appId: "dnope" }))).rejects.toMatchObject({
      name: "NotFoundException",
    });
  });
});
