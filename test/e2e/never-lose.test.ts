import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  CreateAccessKeyCommand,
  CreateUserCommand,
  ListAccessKeysCommand,
  ListMFADevicesCommand,
  ListVirtualMFADevicesCommand,
} from "@aws-sdk/client-iam";
import { beforeEach, describe, expect, it } from "vitest";
import { consecutiveCodes } from "../../src/core/assume/totp.js";
import { iamAs, type Keys } from "../support/accounts.js";
import { useE2eEnv } from "../support/env.js";
import { runInPty } from "../support/pty.js";
import { scanQr } from "../support/scan-qr.js";
import { BIZ, DEV, setupArgs, twoAdmins } from "../support/seed001.js";

// Issue 16: an interrupted or faulty cross-account run never loses a secret, and a re-run with
// the same flags finishes the job without a second key or a stranded MFA device.

const env = useE2eEnv({ managedPolicies: true });
let devKeys: Keys;

const SETUP = setupArgs("--admin", "--no-verify", "--region", "us-east-1", "--json");

beforeEach(async () => {
  devKeys = (await twoAdmins(env)).dev;
});

/** `cross-account grant-user` for devcorpuser on BizCorpRole, non-interactive, JSON. */
const grantArgs = (...rest: string[]) => [
  ...["cross-account", "grant-user", "--no-input", "--profile", "devadmin"],
  ...["--role-arn", `arn:aws:iam::${BIZ}:role/BizCorpRole`, "--user", "devcorpuser", "--json"],
  ...rest,
];

const ledgerPath = () => join(env.sandbox.cacheDir, "ledger", `${DEV}-devcorpuser.json`);

/** What IAM holds for devcorpuser: key ids, assigned and unassigned devices. */
async function devState() {
  const dev = iamAs(env.moto.url, devKeys);
  const keys = (
    (await dev.send(new ListAccessKeysCommand({ UserName: "devcorpuser" }))).AccessKeyMetadata ?? []
  ).map((k) => k.AccessKeyId);
  const assigned = (
    (await dev.send(new ListMFADevicesCommand({ UserName: "devcorpuser" }))).MFADevices ?? []
  ).map((d) => d.SerialNumber);
  const unassigned = (
    (await dev.send(new ListVirtualMFADevicesCommand({ AssignmentStatus: "Unassigned" })))
      .VirtualMFADevices ?? []
  ).map((d) => d.SerialNumber);
  return { keys, assigned, unassigned };
}

/** The key the credentials file holds for devcorpuser. */
function heldKey(): { id?: string; secret?: string } {
  const text = readFileSync(env.sandbox.credentialsPath, "utf8");
  const m = /\[devcorpuser\]\naws_access_key_id = (\S+)\naws_secret_access_key = (\S+)/.exec(text);
  return { ...(m?.[1] ? { id: m[1] } : {}), ...(m?.[2] ? { secret: m[2] } : {}) };
}

describe("lost answers are settled by reading IAM, never by a blind retry", () => {
  it("CreateAccessKey: the key whose answer was lost is deleted; one key, held in the credentials file", async () => {
    env.proxy.inject("CreateAccessKey", { kind: "lostAnswer" }, 1);
    const r = await env.sandbox.run(SETUP);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    const state = await devState();
    expect(state.keys).toHaveLength(1);
    expect(heldKey().id).toBe(state.keys[0]);
    expect(env.proxy.callsOf("CreateAccessKey")).toHaveLength(2);
    expect(env.proxy.callsOf("DeleteAccessKey")).toHaveLength(1);
    const lostId = env.proxy.callsOf("DeleteAccessKey")[0]?.params.AccessKeyId;
    expect(lostId).not.toBe(state.keys[0]);
    expect(out.trusted.notes).toEqual([
      `deleted access key ${lostId}: its creation's answer was lost, so nobody holds its secret`,
    ]);
  });

  it("CreateAccessKey whose 200 arrives but its body is cut off: not retried blindly either", async () => {
    env.proxy.inject("CreateAccessKey", { kind: "cutBody" }, 1);
    const r = await env.sandbox.run(SETUP);
    expect(r.code, r.stderr).toBe(0);
    expect((await devState()).keys).toEqual([heldKey().id]);
    expect(env.proxy.callsOf("CreateAccessKey")).toHaveLength(2);
    expect(env.proxy.callsOf("DeleteAccessKey")).toHaveLength(1);
  });

  it("CreateVirtualMFADevice: the device whose answer was lost is deleted and made again", async () => {
    env.proxy.inject("CreateVirtualMFADevice", { kind: "lostAnswer" }, 1);
    const r = await env.sandbox.run(SETUP);
    expect(r.code, r.stderr).toBe(0);
    const state = await devState();
    expect(state.assigned).toEqual([`arn:aws:iam::${DEV}:mfa/devcorpuser`]);
    expect(state.unassigned).toEqual([]);
    expect(env.proxy.callsOf("CreateVirtualMFADevice")).toHaveLength(2);
    expect(env.proxy.callsOf("DeleteVirtualMFADevice")).toHaveLength(1);
  });

  it("EnableMFADevice: a lost answer after AWS enabled the device counts as done", async () => {
    env.proxy.inject("EnableMFADevice", { kind: "lostAnswer" }, 1);
    const r = await env.sandbox.run(SETUP);
    expect(r.code, r.stderr).toBe(0);
    const state = await devState();
    expect(state.assigned).toEqual([`arn:aws:iam::${DEV}:mfa/devcorpuser`]);
    expect(state.keys).toHaveLength(1);
  });
});

describe("a run that stops part-way tells the truth, and the same command finishes it", () => {
  it("the connection is lost for good at EnableMFADevice: no key yet, the seed kept 0600; the re-run reuses the device", async () => {
    env.proxy.inject("EnableMFADevice", { kind: "reset" });
    const first = await env.sandbox.run(SETUP);
    expect(first.code).not.toBe(0);
    expect(first.stderr).toContain("Applied before the failure");
    expect(env.proxy.callsOf("CreateAccessKey")).toHaveLength(0); // secrets last: no key was made
    const ledger = JSON.parse(readFileSync(ledgerPath(), "utf8"));
    expect(statSync(ledgerPath()).mode & 0o777).toBe(0o600);
    const seed = ledger.devices[0]?.seed as string;
    expect(seed).toMatch(/^[A-Z2-7]{32,}$/);
    expect(first.stderr).not.toContain(seed);
    expect(first.stderr).toContain(
      `The seed of MFA device arn:aws:iam::${DEV}:mfa/devcorpuser is in ${ledgerPath()}.`,
    );
    expect(first.stderr).toContain(
      `Not done: account ${DEV}: enable virtual MFA device arn:aws:iam::${DEV}:mfa/devcorpuser for devcorpuser; account ${DEV}: create an access key for devcorpuser; write [profile bizcorprole]`,
    );
    expect(first.stderr).toContain(
      "To finish, run the same command again: rolectl cross-account setup --no-input",
    );
    expect((await devState()).unassigned).toEqual([`arn:aws:iam::${DEV}:mfa/devcorpuser`]);

    env.proxy.reset();
    const again = await env.sandbox.run(SETUP);
    expect(again.code, again.stderr).toBe(0);
    expect(env.proxy.callsOf("CreateVirtualMFADevice")).toHaveLength(0);
    expect(JSON.parse(again.stdout).actions.map((a: { description: string }) => a.description)).toContain(
      `account ${DEV}: enable virtual MFA device arn:aws:iam::${DEV}:mfa/devcorpuser (made by an earlier run; its seed is in ${ledgerPath()})`,
    );
    const state = await devState();
    expect(state).toEqual({
      keys: [heldKey().id],
      assigned: [`arn:aws:iam::${DEV}:mfa/devcorpuser`],
      unassigned: [],
    });
  });

  it("Ctrl-C while a call is in flight: that call finishes, the run stops with the truth (exit 130), the re-run completes", async () => {
    env.proxy.inject("CreateUser", { kind: "delay", ms: 800 }, 1);
    const first = await env.sandbox.run(SETUP, {
      onSpawn: (child) => {
        const timer = setInterval(() => {
          if (env.proxy.callsOf("CreateUser").length) {
            clearInterval(timer);
            child.kill("SIGINT");
          }
        }, 20);
      },
    });
    expect(first.code).toBe(130);
    expect(first.stderr).toContain("Stopping after the current step");
    expect(first.stderr).toContain(
      "Interrupted before: account 222222222222: attach arn:aws:iam::222222222222:policy/",
    );
    expect(first.stderr).toMatch(
      /Applied before stopping: account 111111111111: create role BizCorpRole \(path \/\); .*account 222222222222: create user devcorpuser\./,
    );
    expect(first.stderr).toContain("To finish, run the same command again: rolectl cross-account setup");
    expect(env.proxy.callsOf("AttachUserPolicy")).toHaveLength(0);
    expect(env.proxy.callsOf("CreateUser")[0]?.status).toBe(200); // its answer was awaited, not dropped

    env.proxy.reset();
    const again = await env.sandbox.run(SETUP);
    expect(again.code, again.stderr).toBe(0);
    expect(env.proxy.callsOf("CreateUser")).toHaveLength(0);
    expect((await devState()).keys).toEqual([heldKey().id]);
  });

  it("Ctrl-C at the 'MFA code 1:' prompt (a terminal): device made, seed kept, no key yet; the same flags finish it", async () => {
    const interactive = SETUP.filter(
      (a) => a !== "--no-input" && a !== "--json" && a !== "--mfa-codes" && a !== "123456,654321",
    );
    const r = await runInPty([...interactive, "--yes"], env.sandbox.env, [
      { expect: /MFA code 1:/, send: "\u0003" },
    ]);
    expect(r.code).toBe(130);
    expect(r.screen).toContain(
      `Interrupted before: account ${DEV}: enable virtual MFA device arn:aws:iam::${DEV}:mfa/devcorpuser for devcorpuser.`,
    );
    expect(r.screen).toContain(`create a virtual MFA device for devcorpuser.`);
    expect(r.screen).toContain(
      `The seed of MFA device arn:aws:iam::${DEV}:mfa/devcorpuser is in ${ledgerPath()}.`,
    );
    expect(r.screen).toContain("To finish, run the same command again: rolectl cross-account setup");
    expect(env.proxy.callsOf("CreateAccessKey")).toHaveLength(0);

    env.proxy.reset();
    const again = await env.sandbox.run(SETUP);
    expect(again.code, again.stderr).toBe(0);
    expect(env.proxy.callsOf("CreateVirtualMFADevice")).toHaveLength(0);
    expect(await devState()).toEqual({
      keys: [heldKey().id],
      assigned: [`arn:aws:iam::${DEV}:mfa/devcorpuser`],
      unassigned: [],
    });
  });

  it("codes typed at the terminal are checked against the seed first: a wrong pair is asked again", async () => {
    const interactive = SETUP.filter(
      (a) => a !== "--no-input" && a !== "--json" && a !== "--mfa-codes" && a !== "123456,654321",
    );
    const codes = (screen: string) => {
      // Scanned from the QR code on screen, as a phone would.
      const seed = new URL(scanQr(screen) ?? "otpauth://x").searchParams.get("secret") ?? "";
      return consecutiveCodes(seed, Date.now()).codes;
    };
    const r = await runInPty([...interactive, "--yes"], env.sandbox.env, [
      { expect: /MFA code 1:/, send: "000000\r" },
      { expect: /MFA code 2/, send: "000001\r" },
      { expect: /not two consecutive codes of this device/, send: (screen) => `${codes(screen)[0]}\r` },
      { expect: /MFA code 2/, send: (screen) => `${codes(screen)[1]}\r` },
    ]);
    expect(r.asked).toHaveLength(4);
    // The code and the first prompt fit an 80×24 terminal; the secret is shown in fours beside it.
    // (Two lines of quiet zone above the first drawn line, the prompt on the line after the code.)
    const lines = r.screen.split(/\r?\n/);
    const top = lines.findIndex((l) => /[▀▄█]/.test(l));
    const prompt = lines.findIndex((l) => l.includes("MFA code 1:"));
    expect(top).toBeGreaterThan(0);
    expect(prompt - top + 1 + 2).toBeLessThanOrEqual(24);
    expect(r.screen).toMatch(/ {2}[A-Z2-7]{4} [A-Z2-7]{4} [A-Z2-7]{4} [A-Z2-7]{4}\r?\n/);
    expect(r.code).toBe(0);
    const sent = env.proxy.callsOf("EnableMFADevice").map((c) => c.params.AuthenticationCode1);
    expect(sent).toHaveLength(1);
    expect(sent[0]).not.toBe("000000"); // the wrong pair never reached AWS
  });

  it("Ctrl-C during the final verify: the result (naming where the seed is) is printed, then exit 130", async () => {
    env.proxy.inject("AssumeRole", { kind: "delay", ms: 1500 }, 1);
    const args = [
      ...SETUP.filter((a) => a !== "--no-verify" && a !== "--mfa-codes" && a !== "123456,654321"),
      "--verify-mfa-code",
      "111111",
    ];
    const r = await env.sandbox.run(args, {
      onSpawn: (child) => {
        const timer = setInterval(() => {
          if (env.proxy.callsOf("AssumeRole").length) {
            clearInterval(timer);
            child.kill("SIGINT");
          }
        }, 10);
      },
    });
    expect(r.code).toBe(130);
    const out = JSON.parse(r.stdout);
    expect(out.verified).toEqual({ status: "skipped", reason: "interrupted", checks: null });
    expect(out.trusted.mfa.seedFile).toBe(ledgerPath());
    expect(r.stderr).toContain("Interrupted while verifying; everything else was done.");
  });

  it("killed (SIGKILL) while CreateAccessKey is in flight: the re-run deletes the key nobody holds and makes one", async () => {
    env.proxy.inject("CreateAccessKey", { kind: "delay", ms: 1500 }, 1);
    const first = await env.sandbox.run(SETUP, {
      onSpawn: (child) => {
        const timer = setInterval(() => {
          if (env.proxy.callsOf("CreateAccessKey").length) {
            clearInterval(timer);
            child.kill("SIGKILL");
          }
        }, 20);
      },
    });
    expect(first.signal).toBe("SIGKILL");
    await env.proxy.settled(); // the delayed call reaches moto: a key nobody holds
    expect((await devState()).keys).toHaveLength(1);
    expect(heldKey().id).toBeUndefined();

    env.proxy.reset();
    const again = await env.sandbox.run(SETUP);
    expect(again.code, again.stderr).toBe(0);
    const state = await devState();
    expect(state.keys).toEqual([heldKey().id]);
    expect(env.proxy.callsOf("DeleteAccessKey")).toHaveLength(1);
    expect(JSON.parse(again.stdout).trusted.notes).toEqual([
      `deleted access key ${env.proxy.callsOf("DeleteAccessKey")[0]?.params.AccessKeyId}: its secret was lost`,
    ]);
  });
});

describe("secrets stay where the user can get them, and out of logs", () => {
  it("automation without --mfa-codes or --mfa-seed-out: the seed stays in the ledger (0600) and the result names it", async () => {
    const r = await env.sandbox.run(SETUP.filter((a) => a !== "--mfa-codes" && a !== "123456,654321"));
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.trusted.mfa.seedFile).toBe(ledgerPath());
    const seed = JSON.parse(readFileSync(ledgerPath(), "utf8")).devices[0].seed as string;
    expect(seed).toMatch(/^[A-Z2-7]{32,}$/);
    expect(r.stdout).not.toContain(seed);
    expect(r.stderr).not.toContain(seed);
  });

  it("a ledger rolectl cannot read is never written over (it may hold a secret): exit 3, no write", async () => {
    mkdirSync(join(env.sandbox.cacheDir, "ledger"), { recursive: true, mode: 0o700 });
    writeFileSync(ledgerPath(), '{"version": 2, "secrets": "from the future"}', { mode: 0o600 });
    const r = await env.sandbox.run(SETUP);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain(`rolectl's ledger ${ledgerPath()} is not one rolectl can read.`);
    expect(env.proxy.writeCalls()).toEqual([]);
    expect(readFileSync(ledgerPath(), "utf8")).toContain("from the future");
  });

  it("--json holds no secret value unless --show-secrets", async () => {
    const plain = await env.sandbox.run(SETUP);
    expect(plain.code, plain.stderr).toBe(0);
    const { secret } = heldKey();
    expect(secret).toMatch(/^\S{20,}$/);
    expect(plain.stdout).not.toContain(secret);
    expect(JSON.parse(plain.stdout).trusted.accessKey.storedIn).toBe(
      `[devcorpuser] in ${env.sandbox.credentialsPath}`,
    );

    const shown = await env.sandbox.run([
      ...SETUP.map((a) => (a === "devcorpuser" ? "seconduser" : a === "BizCorpRole" ? "OtherRole" : a)),
      "--local-profile",
      "other",
      "--show-secrets",
    ]);
    expect(shown.code, shown.stderr).toBe(0);
    const second = /\[seconduser\]\naws_access_key_id = \S+\naws_secret_access_key = (\S+)/.exec(
      readFileSync(env.sandbox.credentialsPath, "utf8"),
    )?.[1];
    expect(JSON.parse(shown.stdout).secrets.secretAccessKey).toBe(second);
  });

  it("grant-user --create-access-key three times makes one key, held by rolectl until it is handed over", async () => {
    const grant = grantArgs("--create-access-key");
    const ids: string[] = [];
    for (let run = 0; run < 3; run++) {
      const r = await env.sandbox.run(grant);
      expect(r.code, r.stderr).toBe(0);
      const out = JSON.parse(r.stdout);
      ids.push(out.accessKey.accessKeyId);
      expect(out.accessKey.storedIn).toBe(ledgerPath());
    }
    expect(new Set(ids).size).toBe(1);
    expect((await devState()).keys).toEqual([ids[0]]);
    expect(env.proxy.callsOf("CreateAccessKey")).toHaveLength(1);
  });

  it("--rotate-access-key: a new key where the old one was, proved, then the old one deleted", async () => {
    const keyFile = join(env.sandbox.dir, "dev.key");
    const grant = grantArgs("--access-key-out", keyFile);
    const first = await env.sandbox.run(grant);
    expect(first.code, first.stderr).toBe(0);
    const oldId = JSON.parse(first.stdout).accessKey.accessKeyId;
    env.proxy.reset();
    const rotated = await env.sandbox.run([...grant, "--rotate-access-key"]);
    expect(rotated.code, rotated.stderr).toBe(0);
    const out = JSON.parse(rotated.stdout);
    const newId = /aws_access_key_id = (\S+)/.exec(readFileSync(keyFile, "utf8"))?.[1];
    expect(out.accessKey).toMatchObject({ status: "created", accessKeyId: newId, replaces: oldId });
    expect(newId).not.toBe(oldId);
    expect((await devState()).keys).toEqual([newId]);
    // In that order: create, a call made with the new key, and only then the old one deleted.
    const order = env.proxy.calls
      .filter((c) => ["CreateAccessKey", "GetCallerIdentity", "DeleteAccessKey"].includes(c.action))
      .map((c) => (c.action === "GetCallerIdentity" ? `${c.action} as ${c.accessKeyId}` : c.action));
    expect(order.slice(-3)).toEqual(["CreateAccessKey", `GetCallerIdentity as ${newId}`, "DeleteAccessKey"]);
    expect(env.proxy.callsOf("DeleteAccessKey")[0]?.params.AccessKeyId).toBe(oldId);
  });

  it("--rotate-access-key stopped before the old key is deleted: the same command finishes it", async () => {
    const keyFile = join(env.sandbox.dir, "dev.key");
    const grant = grantArgs("--access-key-out", keyFile);
    const oldId = JSON.parse((await env.sandbox.run(grant)).stdout).accessKey.accessKeyId;
    env.proxy.reset();
    env.proxy.inject("DeleteAccessKey", { kind: "reset" });
    const stopped = await env.sandbox.run([...grant, "--rotate-access-key"]);
    expect(stopped.code).not.toBe(0);
    expect(stopped.stderr).toContain(`Not done: delete the old access key ${oldId} of devcorpuser`);
    const newId = /aws_access_key_id = (\S+)/.exec(readFileSync(keyFile, "utf8"))?.[1];
    expect((await devState()).keys.sort()).toEqual([oldId, newId].sort());

    env.proxy.reset();
    const again = await env.sandbox.run([...grant, "--rotate-access-key"]);
    expect(again.code, again.stderr).toBe(0);
    expect(env.proxy.callsOf("CreateAccessKey")).toHaveLength(0);
    expect((await devState()).keys).toEqual([newId]);
    expect(/aws_access_key_id = (\S+)/.exec(readFileSync(keyFile, "utf8"))?.[1]).toBe(newId);
    const ledger = JSON.parse(readFileSync(ledgerPath(), "utf8"));
    expect(ledger.rotation).toBeUndefined();
    expect(ledger.keys.find((k: { id: string }) => k.id === newId)?.secret).toBeUndefined();
  });

  it("--rotate-access-key refuses when rolectl holds none of the user's keys, before any write", async () => {
    await iamAs(env.moto.url, devKeys).send(new CreateUserCommand({ UserName: "devcorpuser" }));
    await iamAs(env.moto.url, devKeys).send(new CreateAccessKeyCommand({ UserName: "devcorpuser" }));
    env.proxy.reset();
    const r = await env.sandbox.run([
      ...SETUP.filter((a) => a !== "--create-access-key"),
      "--rotate-access-key",
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("is in the files rolectl writes, so there is nothing it may rotate");
    expect(env.proxy.writeCalls()).toEqual([]);
  });

  it("--generate-external-id twice: the same id, and the second run changes nothing", async () => {
    const args = SETUP.map((a) => (a === "--external-id" ? "--generate-external-id" : a)).filter(
      (a) => a !== "Ext-1234567890",
    );
    const first = await env.sandbox.run(args);
    expect(first.code, first.stderr).toBe(0);
    const id = JSON.parse(first.stdout).trusting.externalId;
    expect(id).toMatch(/^[\w-]{32}$/);
    env.proxy.reset();
    const second = await env.sandbox.run(args);
    expect(second.code, second.stderr).toBe(0);
    expect(JSON.parse(second.stdout).trusting.externalId).toBe(id);
    expect(env.proxy.writeCalls()).toEqual([]);
    expect(existsSync(ledgerPath())).toBe(true);
  });
});
