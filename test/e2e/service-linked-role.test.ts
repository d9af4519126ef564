import { CreateRoleCommand, GetRoleCommand, IAMClient } from "@aws-sdk/client-iam";
import { describe, expect, it } from "vitest";
import { deletionStatus, iamError } from "../support/aws-xml.js";
import { useE2eEnv } from "../support/env.js";
import { runInProcess } from "../support/in-process.js";

const env = useE2eEnv();
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";

const iam = () =>
  new IAMClient({
    region: "us-east-1",
    endpoint: env.moto.url,
    credentials: { accessKeyId: "AKIAIOSFODNN7DEFAULT", secretAccessKey: "x" },
  });
const run = (...args: string[]) => env.sandbox.run(args);
const json = async (...args: string[]) => {
  const r = await env.sandbox.run([...args, "--json"]);
  expect(r.stderr).toBe("");
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout);
};

describe("slr round trip", () => {
  it.each([
    ["connect", "connect.amazonaws.com", "shop"],
    ["autoscaling.amazonaws.com", "autoscaling.amazonaws.com", undefined],
  ])("create, list, describe, update-description and delete for %s", async (given, service, suffix) => {
    const suffixArgs = suffix ? ["--suffix", suffix] : [];
    const created = await json("slr", "create", "--service", given, ...suffixArgs, "--description", "first");
    expect(created).toMatchObject({ status: "created", service, path: `/aws-service-role/${service}/` });
    if (suffix) expect(created.name).toMatch(new RegExp(`_${suffix}$`));
    const again = await json("slr", "create", "--service", given, ...suffixArgs);
    expect(again).toMatchObject({ status: "exists", name: created.name, arn: created.arn });
    expect(env.proxy.callsOf("CreateServiceLinkedRole")).toHaveLength(1);
    expect(env.proxy.callsOf("CreateServiceLinkedRole")[0]?.params).toMatchObject({
      AWSServiceName: service,
      ...(suffix ? { CustomSuffix: suffix } : {}),
    });

    const listed = await json("slr", "list");
    expect(listed.map((r: { name: string }) => r.name)).toEqual([created.name]);
    const human = await run("slr", "list");
    expect(human.stdout.trimEnd()).toMatch(
      new RegExp(
        `^SERVICE\\s+NAME\\s+CREATED\\s+LAST USED\\n${service.replace(/\./g, "\\.")}\\s+${created.name}\\s+\\d{4}-\\d\\d-\\d\\d\\s+never$`,
      ),
    );

    const described = await json("slr", "describe", "--service", given);
    expect(described).toMatchObject({
      name: created.name,
      trustedBy: [`Service:${service}`],
      description: "first",
    });

    await json("slr", "update-description", created.name, "--description", "second");
    const roleAfter = await iam().send(new GetRoleCommand({ RoleName: created.name }));
    expect(roleAfter.Role?.Description).toBe("second");

    const deleted = await json("slr", "delete", created.name, "--yes");
    expect(deleted).toMatchObject({
      name: created.name,
      status: "SUCCEEDED",
      deletionTaskId: expect.any(String),
    });
    await expect(iam().send(new GetRoleCommand({ RoleName: created.name }))).rejects.toMatchObject({
      Code: "NoSuchEntity",
    });
    expect(await json("slr", "list")).toEqual([]);
  });

  it("finds a role by path and trust, whatever its name (AWS's naming, not moto's)", async () => {
    await iam().send(
      new CreateRoleCommand({
        RoleName: "AWSServiceRoleForAmazonConnect_shop",
        Path: "/aws-service-role/connect.amazonaws.com/",
        AssumeRolePolicyDocument: JSON.stringify({
          Version: "2012-10-17",
          Statement: [
            { Effect: "Allow", Principal: { Service: "connect.amazonaws.com" }, Action: "sts:AssumeRole" },
          ],
        }),
      }),
    );
    const r = await json("slr", "create", "--service", "connect", "--suffix", "shop");
    expect(r).toMatchObject({ status: "exists", name: "AWSServiceRoleForAmazonConnect_shop" });
    expect(env.proxy.callsOf("CreateServiceLinkedRole")).toHaveLength(0);
  });

  it("treats AWS's 'has been taken' answer as exists (a race with another creator)", async () => {
    // First ListRoles sees nothing; meanwhile someone else creates it.
    await run("slr", "create", "--service", "connect", "--suffix", "race");
    env.proxy.reset();
    env.proxy.inject(
      "ListRoles",
      {
        kind: "respond",
        status: 200,
        body: '<ListRolesResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><ListRolesResult><Roles/><IsTruncated>false</IsTruncated></ListRolesResult></ListRolesResponse>',
      },
      1,
    );
    env.proxy.inject("CreateServiceLinkedRole", {
      kind: "respond",
      status: 400,
      body: iamError(
        "InvalidInput",
        "Service role name AWSServiceRoleForconnect_race has been taken in this account, please try a different suffix.",
      ),
    });
    const r = await json("slr", "create", "--service", "connect", "--suffix", "race");
    expect(r.status).toBe("exists");
  });

  it("explains a suffix the service does not accept", async () => {
    env.proxy.inject("CreateServiceLinkedRole", {
      kind: "respond",
      status: 400,
      body: iamError("InvalidInput", "Custom suffix is not allowed for s3.amazonaws.com"),
    });
    const r = await run("slr", "create", "--service", "s3", "--suffix", "x1");
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("Custom suffix is not allowed for s3.amazonaws.com");
    expect(r.stderr).toContain("hint: s3.amazonaws.com does not take --suffix");
  });

  it("shows the plan with --dry-run and writes nothing", async () => {
    const r = await run("slr", "create", "--service", "connect", "--dry-run");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("would create the service-linked role of connect.amazonaws.com");
    expect(env.proxy.writeCalls()).toEqual([]);
  });
});

describe("slr delete waits for the deletion task", () => {
  const createConnect = async () =>
    (await json("slr", "create", "--service", "connect", "--suffix", "del")).name as string;

  it("polls through IN_PROGRESS until SUCCEEDED", async () => {
    const name = await createConnect();
    env.proxy.inject(
      "GetServiceLinkedRoleDeletionStatus",
      { kind: "respond", status: 200, body: deletionStatus("IN_PROGRESS") },
      2,
    );
    const r = await run("slr", "delete", name, "--yes");
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`deleted  ${name}\n`);
    expect(env.proxy.callsOf("GetServiceLinkedRoleDeletionStatus").map((c) => c.answeredBy)).toEqual([
      "respond",
      "respond",
      "moto",
    ]);
    expect(env.proxy.callsOf("GetServiceLinkedRoleDeletionStatus")[0]?.params.DeletionTaskId).toBe(
      env.proxy.callsOf("GetServiceLinkedRoleDeletionStatus")[2]?.params.DeletionTaskId,
    );
  });

  it("prints what still uses the role when AWS reports FAILED, exit 5", async () => {
    const name = await createConnect();
    env.proxy.inject("GetServiceLinkedRoleDeletionStatus", {
      kind: "respond",
      status: 200,
      body: deletionStatus("FAILED", {
        reason: "The role is in use by Amazon Connect instances.",
        regions: {
          "us-east-1": ["arn:aws:connect:us-east-1:123456789012:instance/aaaa"],
          "eu-west-2": [
            "arn:aws:connect:eu-west-2:123456789012:instance/bbbb",
            "arn:aws:connect:eu-west-2:123456789012:instance/cccc",
          ],
        },
      }),
    });
    const r = await run("slr", "delete", name, "--yes");
    expect(r.code).toBe(5);
    expect(r.stderr).toContain("Deletion failed");
    expect(r.stderr).toContain("The role is in use by Amazon Connect instances.");
    expect(r.stderr).toContain("us-east-1: arn:aws:connect:us-east-1:123456789012:instance/aaaa");
    expect(r.stderr).toContain(
      "eu-west-2: arn:aws:connect:eu-west-2:123456789012:instance/bbbb, arn:aws:connect:eu-west-2:123456789012:instance/cccc",
    );
    const j = await run("slr", "delete", "--status", "task/x", "--json");
    expect(j.code).toBe(5);
    expect(JSON.parse(j.stderr).error.details.usage).toHaveLength(2);
  });

  it("gives up at --timeout, non-zero, naming the task id to resume with", async () => {
    const name = await createConnect();
    env.proxy.inject("GetServiceLinkedRoleDeletionStatus", {
      kind: "respond",
      status: 200,
      body: deletionStatus("IN_PROGRESS"),
    });
    const started = Date.now();
    const r = await run("slr", "delete", name, "--yes", "--timeout", "2");
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(r.code).toBe(1);
    const taskId =
      env.proxy.callsOf("DeleteServiceLinkedRole").length &&
      env.proxy.callsOf("GetServiceLinkedRoleDeletionStatus")[0]?.params.DeletionTaskId;
    expect(taskId).toBeTruthy();
    expect(r.stderr).toContain(`rolectl slr delete --status ${taskId}`);
    env.proxy.clearFaults();
    const later = await run("slr", "delete", "--status", String(taskId));
    expect(later).toMatchObject({ code: 0, stdout: `SUCCEEDED  (task ${taskId})\n` });
  });

  it("--no-wait prints the task id and does not poll", async () => {
    const name = await createConnect();
    const r = await json("slr", "delete", name, "--yes", "--no-wait");
    expect(r).toMatchObject({ name, status: "IN_PROGRESS", deletionTaskId: expect.any(String) });
    expect(env.proxy.callsOf("GetServiceLinkedRoleDeletionStatus")).toHaveLength(0);
  });

  it("asks for confirmation: non-interactive without --yes is exit 2 and deletes nothing", async () => {
    const name = await createConnect();
    const r = await run("slr", "delete", name);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("pass --yes");
    expect(env.proxy.callsOf("DeleteServiceLinkedRole")).toHaveLength(0);
  });
});

describe("slr bad input is refused before any write (exit 2)", () => {
  it.each([
    [
      "a service with spaces",
      ["slr", "create", "--service", "Not A Service!"],
      /Invalid service "Not A Service!" \(--service\)/,
    ],
    ["a non-AWS service", ["slr", "create", "--service", "example.com"], /must be a service principal/],
    ["no service", ["slr", "create"], /Missing required value --service/],
    [
      "a suffix with a space",
      ["slr", "create", "--service", "connect", "--suffix", "bad suffix"],
      /Invalid suffix/,
    ],
    [
      "an empty description",
      ["slr", "create", "--service", "connect", "--description", ""],
      /Invalid description "" \(--description\): must be 1-1000/,
    ],
    [
      "an over-long description",
      ["slr", "create", "--service", "connect", "--description", "d".repeat(1001)],
      /must be 1-1000 characters/,
    ],
    [
      "an empty new description",
      ["slr", "update-description", "AWSServiceRoleForconnect_x", "--description", ""],
      /Invalid description/,
    ],
    ["delete without a name", ["slr", "delete", "--yes"], /Missing required value the NAME argument/],
    ["a zero timeout", ["slr", "delete", "x", "--yes", "--timeout", "0"], /--timeout/],
    ["a malformed task id", ["slr", "delete", "--status", "bad id!"], /Invalid deletion task id/],
  ] as [string, string[], RegExp][])("%s", async (_label, args, message) => {
    const r = await runInProcess(env.sandbox, args);
    expect(r.stderr).toMatch(message);
    expect(r.code).toBe(2);
    expect(env.proxy.calls).toEqual([]); // refused before any AWS call, reads included
  });

  it("refuses to delete or re-describe a role that is not service-linked", async () => {
    await iam().send(
      new CreateRoleCommand({
        RoleName: "Ordinary",
        AssumeRolePolicyDocument: JSON.stringify({
          Version: "2012-10-17",
          Statement: [
            { Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" },
          ],
        }),
      }),
    );
    for (const args of [
      ["slr", "delete", "Ordinary", "--yes"],
      ["slr", "update-description", "Ordinary", "--description", "x"],
    ]) {
      const r = await env.sandbox.run(args);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain("Role Ordinary is not a service-linked role (its path is /)");
    }
    expect(env.proxy.writeCalls()).toEqual([]);
    await expect(iam().send(new GetRoleCommand({ RoleName: "Ordinary" }))).resolves.toBeTruthy();
  });

  it("a missing role is exit 3 (not found)", async () => {
    const r = await run("slr", "describe", "AWSServiceRoleForNothing");
    expect(r.code).toBe(3);
    expect(r.stderr).toContain("AWSServiceRoleForNothing");
  });
});
