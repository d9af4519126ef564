import { readFileSync } from "node:fs";
import { join } from "node:path";
import {
  ListAccessKeysCommand,
  ListMFADevicesCommand,
  ListVirtualMFADevicesCommand,
} from "@aws-sdk/client-iam";
import { afterAll, describe, expect, it } from "vitest";
import { iamAs, type Keys } from "../support/accounts.js";
import type { RunResult } from "../support/cli.js";
import { useE2eEnv } from "../support/env.js";
import { writeReportSection } from "../support/report.js";
import { DEV, SETUP_WRITES, setupArgs, twoAdmins } from "../support/seed001.js";

// Issue 16's matrix: `cross-account setup` stopped at each AWS call of its plan (and at the
// verify), by SIGKILL and SIGINT while the call is in flight and by the connection dropping
// after AWS acted, then run again with the same flags. Every cell must end with a working
// profile, exactly one access key (the one the credentials file holds), the MFA seed in a file,
// and no unassigned MFA device left behind.

const env = useE2eEnv({ managedPolicies: true });
const SERIAL = `arn:aws:iam::${DEV}:mfa/devcorpuser`;
const SETUP = setupArgs("--admin", "--verify-mfa-code", "111111", "--region", "us-east-1", "--json");

/** The AWS calls of a fresh setup, in order; AssumeRole is the verify. */
const STEPS = [...SETUP_WRITES, "AssumeRole"] as const;
const KINDS = ["SIGKILL", "SIGINT", "lost answer", "one lost answer"] as const;
type Kind = (typeof KINDS)[number];

const cells = new Map<string, string>();

afterAll(() => {
  const rows = STEPS.map(
    (step) => `| ${step} | ${KINDS.map((k) => cells.get(`${step}/${k}`) ?? "not run").join(" | ")} |`,
  );
  writeReportSection(
    "resumable",
    [
      `## Resumable cross-account setup (${new Date().toISOString().slice(0, 10)})`,
      "",
      '`cross-account setup` stopped at each AWS call of its plan, then run again with the same flags. A cell reads `first exit -> re-run exit`; every cell was then checked: the profile assumes the role, IAM holds exactly one access key for the user and it is the one in the credentials file, the MFA device is assigned and its seed is in a file, no unassigned device is left. SIGKILL and SIGINT arrive while the call is in flight (AWS acts after the kill); "lost answer" means AWS acted on every attempt and the connection dropped before the answer; "one lost answer" drops only the first answer, so the retry of the SDK (or rolectl reading IAM, for the calls never retried blindly) meets what the first attempt made.',
      "",
      `| AWS call | ${KINDS.join(" | ")} |`,
      `| --- | ${KINDS.map(() => "---").join(" | ")} |`,
      ...rows,
    ].join("\n"),
  );
});

/** Runs setup and stops it at `step` in the way `kind` says. */
async function stoppedRun(step: string, kind: Kind): Promise<RunResult> {
  if (kind === "lost answer" || kind === "one lost answer") {
    env.proxy.inject(step, { kind: "lostAnswer" }, kind === "lost answer" ? Number.POSITIVE_INFINITY : 1);
    return env.sandbox.run(SETUP);
  }
  env.proxy.inject(step, { kind: "delay", ms: 1200 }, 1);
  const r = await env.sandbox.run(SETUP, {
    onSpawn: (child) => {
      const timer = setInterval(() => {
        if (env.proxy.callsOf(step).length) {
          clearInterval(timer);
          child.kill(kind);
        }
      }, 10);
      child.on("exit", () => clearInterval(timer));
    },
  });
  await env.proxy.settled(); // the delayed call reaches moto after the kill: AWS acted, nobody heard
  return r;
}

async function checkEndState(dev: Keys): Promise<void> {
  const iam = iamAs(env.moto.url, dev);
  const keys =
    (await iam.send(new ListAccessKeysCommand({ UserName: "devcorpuser" }))).AccessKeyMetadata ?? [];
  const held = /\[devcorpuser\]\naws_access_key_id = (\S+)\naws_secret_access_key = \S+/.exec(
    readFileSync(env.sandbox.credentialsPath, "utf8"),
  )?.[1];
  expect(keys.map((k) => k.AccessKeyId)).toEqual([held]);
  const assigned = (await iam.send(new ListMFADevicesCommand({ UserName: "devcorpuser" }))).MFADevices ?? [];
  expect(assigned.map((d) => d.SerialNumber)).toEqual([SERIAL]);
  const unassigned =
    (await iam.send(new ListVirtualMFADevicesCommand({ AssignmentStatus: "Unassigned" })))
      .VirtualMFADevices ?? [];
  expect(unassigned).toEqual([]);
  const ledger = JSON.parse(
    readFileSync(join(env.sandbox.cacheDir, "ledger", `${DEV}-devcorpuser.json`), "utf8"),
  );
  expect(ledger.devices.find((d: { serial: string }) => d.serial === SERIAL)?.seed).toMatch(
    /^[A-Z2-7]{32,}$/,
  );
  expect(ledger.pending).toBeUndefined();
  const assume = await env.sandbox.run([
    "assume",
    "--profile",
    "bizcorprole",
    "--mfa-code",
    "222222",
    "--json",
  ]);
  expect(assume.code, assume.stderr).toBe(0);
}

describe("cross-account setup stopped at every step, then run again", () => {
  for (const step of STEPS) {
    for (const kind of KINDS) {
      it(`${step} / ${kind}`, async () => {
        const { dev } = await twoAdmins(env);
        const first = await stoppedRun(step, kind);
        expect(env.proxy.callsOf(step).length).toBeGreaterThan(0); // it really stopped there
        const firstExit = first.code ?? `${first.signal}`;
        // One lost answer is survived in the same run: nothing for the re-run to do.
        if (kind === "one lost answer") expect(first.code, first.stderr).toBe(0);
        env.proxy.reset();
        const again = await env.sandbox.run(SETUP);
        expect(again.code, again.stderr).toBe(0);
        const creates = env.proxy.callsOf("CreateAccessKey").length;
        expect(creates).toBeLessThanOrEqual(1);
        await checkEndState(dev);
        cells.set(`${step}/${kind}`, `${firstExit} -> ${again.code} ok`);
      });
    }
  }
});
