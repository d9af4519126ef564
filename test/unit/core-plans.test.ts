import { describe, expect, it } from "vitest";
import { keysLostBy } from "../../src/core/cross-account/minted.js";
import { planTrustedSide } from "../../src/core/cross-account/trusted-side.js";
import { applyManagedPolicy, planAttachment, planManagedPolicy } from "../../src/core/policies/managed.js";
import { planRoleProvision } from "../../src/core/roles/provision.js";
import { verifyAssumable } from "../../src/core/roles/verify.js";
import { waitForDeletion } from "../../src/core/service-linked/roles.js";
import { RolectlError } from "../../src/shared/errors.js";
import { memoryLedger } from "../support/memory-ledger.js";

// Core planning with fake clients and clocks: no process, no emulator. A fake IAM answers by
// command name and records every call, so a test can say exactly which calls a plan made.

type Answer = (input: Record<string, unknown>) => unknown;

function fakeIam(answers: Record<string, Answer>) {
  const calls: { command: string; input: Record<string, unknown> }[] = [];
  return {
    calls,
    send: async (cmd: { constructor: { name: string }; input: Record<string, unknown> }) => {
      const command = cmd.constructor.name.replace(/Command$/, "");
      calls.push({ command, input: cmd.input });
      const answer = answers[command];
      if (!answer) throw new Error(`unexpected call ${command}`);
      return answer(cmd.input);
    },
  } as unknown as { calls: { command: string; input: Record<string, unknown> }[]; send: never };
}

const noSuchEntity = () => {
  throw Object.assign(new Error("not found"), { name: "NoSuchEntityException", Code: "NoSuchEntity" });
};
const doc = (action: string) => ({
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow", Action: action, Resource: "*" }],
});
const encoded = (d: unknown) => encodeURIComponent(JSON.stringify(d));
const day = (n: number) => new Date(Date.UTC(2026, 0, n));

describe("planManagedPolicy", () => {
  const arn = "arn:aws:iam::123456789012:policy/P";

  it("plans a create for a missing policy and writes nothing until applied", async () => {
    const iam = fakeIam({
      GetPolicy: noSuchEntity,
      CreatePolicy: () => ({ Policy: { Arn: arn, DefaultVersionId: "v1" } }),
    });
    const plan = await planManagedPolicy(iam, { arn, name: "P", document: doc("s3:*") });
    expect(plan.steps.map((s) => s.description)).toEqual(["create managed policy P"]);
    expect(iam.calls.map((c) => c.command)).toEqual(["GetPolicy"]);
    expect(await applyManagedPolicy(plan)).toEqual({
      arn,
      status: "created",
      versionId: "v1",
      prunedVersion: null,
    });
    expect(iam.calls.map((c) => c.command)).toEqual(["GetPolicy", "CreatePolicy"]);
  });

  it("plans nothing when the default version has the document (in any key order)", async () => {
    const iam = fakeIam({
      GetPolicy: () => ({ Policy: { DefaultVersionId: "v3" } }),
      GetPolicyVersion: () => ({
        PolicyVersion: {
          Document: encoded({
            Statement: [{ Resource: "*", Action: "s3:*", Effect: "Allow" }],
            Version: "2012-10-17",
          }),
        },
      }),
    });
    const plan = await planManagedPolicy(iam, { arn, name: "P", document: doc("s3:*") });
    expect(plan.change).toBe("none");
    expect(plan.steps).toEqual([]);
  });

  it("at IAM's five versions prunes the oldest non-default one before adding the new default", async () => {
    const versions = [
      { VersionId: "v1", IsDefaultVersion: true, CreateDate: day(1) },
      { VersionId: "v4", IsDefaultVersion: false, CreateDate: day(4) },
      { VersionId: "v2", IsDefaultVersion: false, CreateDate: day(2) },
      { VersionId: "v5", IsDefaultVersion: false, CreateDate: day(5) },
      { VersionId: "v3", IsDefaultVersion: false, CreateDate: day(3) },
    ];
    const iam = fakeIam({
      GetPolicy: () => ({ Policy: { DefaultVersionId: "v1" } }),
      GetPolicyVersion: () => ({ PolicyVersion: { Document: encoded(doc("s3:Get*")) } }),
      ListPolicyVersions: () => ({ Versions: versions }),
      DeletePolicyVersion: () => ({}),
      CreatePolicyVersion: () => ({ PolicyVersion: { VersionId: "v6" } }),
    });
    const plan = await planManagedPolicy(iam, { arn, name: "P", document: doc("s3:*") });
    expect(plan.steps.map((s) => s.description)).toEqual([
      "delete version v2 of P (IAM keeps 5)",
      "make a new default version of P (the document differs)",
    ]);
    expect(await applyManagedPolicy(plan)).toEqual({
      arn,
      status: "updated",
      versionId: "v6",
      prunedVersion: "v2",
    });
    expect(
      iam.calls.filter((c) => c.command === "DeletePolicyVersion").map((c) => c.input.VersionId),
    ).toEqual(["v2"]);
  });

  it("an attachment already there is no step; a user still to be created is not read", async () => {
    const iam = fakeIam({
      GetUser: () => ({ User: {} }),
      ListAttachedUserPolicies: () => ({ AttachedPolicies: [{ PolicyArn: arn }] }),
    });
    expect(await planAttachment(iam, { user: "u" }, arn)).toEqual([]);
    const steps = await planAttachment(iam, { user: "new" }, arn, "new");
    expect(steps.map((s) => s.description)).toEqual([`attach ${arn} to user new`]);
    expect(iam.calls.map((c) => c.command)).toEqual(["GetUser", "ListAttachedUserPolicies"]);
  });
});

describe("planTrustedSide", () => {
  const caller = { account: "222222222222", arn: "arn:aws:iam::222222222222:user/admin", userId: "A" };
  const base = {
    caller,
    roleArn: "arn:aws:iam::111111111111:role/BizCorpRole",
    roleName: "BizCorpRole",
    roleAccount: "111111111111",
    enableCodes: async (): Promise<[string, string]> => ["123456", "654321"],
    places: { personHoldsSeed: false },
    get ledger() {
      return memoryLedger("222222222222", "devcorpuser");
    },
  };
  const input = { user: "devcorpuser", createAccessKey: true, rotateAccessKey: false, mfa: true };

  it("refuses a third access key from reads alone: every call it made was a read", async () => {
    const iam = fakeIam({
      GetPolicy: noSuchEntity,
      GetUser: () => ({ User: {} }),
      ListAttachedUserPolicies: () => ({ AttachedPolicies: [] }),
      ListAccessKeys: () => ({ AccessKeyMetadata: [{ AccessKeyId: "AKIA1" }, { AccessKeyId: "AKIA2" }] }),
      ListMFADevices: () => ({ MFADevices: [] }),
      ListVirtualMFADevices: () => ({ VirtualMFADevices: [] }),
    });
    const err = await planTrustedSide(iam, { ...base, input }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RolectlError);
    expect((err as RolectlError).code).toBe("access_key_limit");
    expect((err as RolectlError).exitCode).toBe(5);
    expect(iam.calls.map((c) => c.command)).toEqual([
      "GetPolicy",
      "GetUser",
      "ListAttachedUserPolicies",
      "ListMFADevices",
      "ListVirtualMFADevices",
      "ListAccessKeys",
    ]);
  });

  it("reuses the key the local profile holds and plans the device with a predictable serial", async () => {
    const iam = fakeIam({
      GetPolicy: noSuchEntity,
      GetUser: noSuchEntity,
      ListVirtualMFADevices: () => ({ VirtualMFADevices: [] }),
    });
    const plan = await planTrustedSide(iam, { ...base, input, knownKeyIds: ["AKIAHELD"] });
    expect(plan.accessKey).toBe("create"); // the user does not exist, so no key of theirs is held
    expect(plan.mfaSerial).toBe("arn:aws:iam::222222222222:mfa/devcorpuser");
    expect(plan.steps.map((s) => s.description)).toEqual([
      "create managed policy AssumeRole-BizCorpRole-111111111111",
      "create user devcorpuser",
      "attach arn:aws:iam::222222222222:policy/AssumeRole-BizCorpRole-111111111111 to user devcorpuser",
      "create a virtual MFA device for devcorpuser",
      "enable virtual MFA device arn:aws:iam::222222222222:mfa/devcorpuser for devcorpuser",
      "create an access key for devcorpuser",
    ]);
    const held = fakeIam({
      GetPolicy: noSuchEntity,
      GetUser: () => ({ User: {} }),
      ListAttachedUserPolicies: () => ({ AttachedPolicies: [] }),
      ListAccessKeys: () => ({ AccessKeyMetadata: [{ AccessKeyId: "AKIAHELD" }, { AccessKeyId: "AKIA2" }] }),
      ListMFADevices: () => ({ MFADevices: [{ SerialNumber: "arn:aws:iam::222222222222:mfa/old" }] }),
    });
    const again = await planTrustedSide(held, { ...base, input, knownKeyIds: ["AKIAHELD"] });
    expect(again.accessKey).toEqual({ reuse: "AKIAHELD" });
    expect(again.mfa).toEqual({ existing: "arn:aws:iam::222222222222:mfa/old" });
  });
});

describe("planRoleProvision", () => {
  it("refuses to take over a role that trusts something else, before any write", async () => {
    const iam = fakeIam({
      GetRole: () => ({
        Role: {
          RoleName: "R",
          Arn: "arn:aws:iam::1:role/R",
          Path: "/",
          AssumeRolePolicyDocument: encoded({
            Version: "2012-10-17",
            Statement: [
              { Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" },
            ],
          }),
        },
      }),
      ListAttachedRolePolicies: () => ({ AttachedPolicies: [] }),
      ListRolePolicies: () => ({ PolicyNames: [] }),
    });
    const desired = {
      name: "R",
      path: "/",
      trustPolicy: {
        Version: "2012-10-17",
        Statement: [
          { Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" },
        ],
      },
      managedPolicies: [],
      inlinePolicies: {},
      tags: [],
    };
    await expect(planRoleProvision(iam, desired)).rejects.toMatchObject({ code: "role_conflict" });
    const forced = await planRoleProvision(iam, desired, { force: true });
    expect(forced.actions.map((a) => a.description)).toEqual([
      "replace the trust policy (it differs from the desired one)",
    ]);
    expect(iam.calls.every((c) => /^(Get|List)/.test(c.command))).toBe(true);
  });
});

describe("waiting loops with a fake clock", () => {
  const clock = () => {
    let t = 0;
    const slept: number[] = [];
    const sleep = async (ms: number) => {
      slept.push(ms);
      t += ms;
    };
    return { now: () => t, sleep, slept };
  };
  const denied = Object.assign(new Error("not authorized"), { name: "AccessDenied", Code: "AccessDenied" });

  it("verifyAssumable backs off 0.5, 1, 2, 4, 4 s on AccessDenied and gives up with verify_failed (exit 4)", async () => {
    // 12 s allows the fifth wait (7.5 s + 4 s) but not a sixth.
    const c = clock();
    const err = await verifyAssumable(
      async () => {
        throw denied;
      },
      "arn:aws:iam::1:role/R",
      { timeoutMs: 12_000, now: c.now, sleep: c.sleep },
    ).catch((e: unknown) => e);
    expect(c.slept).toEqual([500, 1000, 2000, 4000, 4000]);
    expect((err as RolectlError).code).toBe("verify_failed");
    expect((err as RolectlError).exitCode).toBe(4);
  });

  it("verifyAssumable succeeds on the attempt after propagation and rethrows other errors at once", async () => {
    const c = clock();
    let n = 0;
    const r = await verifyAssumable(
      async () => {
        if (++n < 3) throw denied;
      },
      "arn",
      { timeoutMs: 30_000, now: c.now, sleep: c.sleep },
    );
    expect(r).toEqual({ attempts: 3, elapsedMs: 1500 });
    const other = new Error("boom");
    await expect(
      verifyAssumable(async () => Promise.reject(other), "arn", {
        timeoutMs: 30_000,
        now: c.now,
        sleep: c.sleep,
      }),
    ).rejects.toBe(other);
  });

  it("waitForDeletion polls with doubling delays until SUCCEEDED, and times out naming the task", async () => {
    const c = clock();
    const states = ["NOT_STARTED", "IN_PROGRESS", "IN_PROGRESS", "SUCCEEDED"];
    const iam = fakeIam({ GetServiceLinkedRoleDeletionStatus: () => ({ Status: states.shift() }) });
    const done = await waitForDeletion(iam, "task/1", { timeoutMs: 60_000, now: c.now, sleep: c.sleep });
    expect(done.status).toBe("SUCCEEDED");
    expect(c.slept).toEqual([500, 1000, 2000]);
    const stuck = fakeIam({ GetServiceLinkedRoleDeletionStatus: () => ({ Status: "IN_PROGRESS" }) });
    const c2 = clock(); // one clock: sleeping must move the time that now() reads
    const err = await waitForDeletion(stuck, "task/2", {
      timeoutMs: 3000,
      now: c2.now,
      sleep: c2.sleep,
    }).catch((e: unknown) => e);
    expect(c2.slept).toEqual([500, 1000, 1500]);
    expect((err as RolectlError).code).toBe("timeout");
    expect((err as RolectlError).hint).toContain("rolectl slr delete --status task/2");
  });
});

describe("keysLostBy", () => {
  const sentAt = "2026-11-23T10:00:00.000Z";
  const at = (iso: string) => new Date(iso);
  const record = {
    version: 1 as const,
    account: "222222222222",
    user: "u",
    keys: [{ id: "AKIAHELD", storedIn: "[u] in credentials" }],
    devices: [],
    pending: { op: "CreateAccessKey" as const, before: ["AKIAOLD"], sentAt },
  };

  it("is the key that appeared around the lost create, and only that one", () => {
    expect(
      keysLostBy(record, [
        { id: "AKIAOLD", created: at("2026-01-01T00:00:00Z") },
        { id: "AKIAHELD", created: at("2026-11-23T10:00:01Z") },
        { id: "AKIALOST", created: at("2026-11-23T10:00:02Z") },
        { id: "AKIALATER", created: at("2026-11-23T11:00:00Z") }, // another admin, an hour later
      ]),
    ).toEqual(["AKIALOST"]);
  });

  it("is nothing without a pending create", () => {
    const { pending: _, ...settled } = record;
    expect(keysLostBy(settled, [{ id: "AKIALOST", created: at(sentAt) }])).toEqual([]);
  });
});
