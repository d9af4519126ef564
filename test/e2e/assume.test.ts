import { spawn, spawnSync } from "node:child_process";
import {
  chmodSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { base32Decode, totpCode, totpCounter } from "../../src/core/assume/totp.js";
import { createTrustingRole, credentialsSection, keysFor } from "../support/accounts.js";
import { BIN, runProgram } from "../support/cli.js";
import { useE2eEnv } from "../support/env.js";
import { HEAVY, loadedModules } from "../support/loads.js";
import { runInPty } from "../support/pty.js";

const env = useE2eEnv();
const hasFish = spawnSync("fish", ["--version"]).status === 0;
const BIZ = "111111111111";
const DEV = "222222222222";
const ROLE_ARN = `arn:aws:iam::${BIZ}:role/BizCorpRole`;
const MFA_SERIAL = `arn:aws:iam::${DEV}:mfa/devcorpuser`;
const SEED_PROFILE = `[profile bizcorprole]
role_arn = ${ROLE_ARN}
source_profile = devcorpuser
mfa_serial = ${MFA_SERIAL}
external_id = Ext-1234567890
region = us-east-1
`;

let devKeys: Awaited<ReturnType<typeof keysFor>>;

/** An mfa_process script that counts its runs and prints a fresh code each time. */
function mfaScript(): { command: string; runs: () => number } {
  const counter = join(env.sandbox.dir, "mfa-runs");
  const script = join(env.sandbox.dir, "mfa.sh");
  writeFileSync(script, `#!/bin/sh\necho run >> "${counter}"\nprintf '%06d\\n' "$(wc -l < "${counter}")"\n`);
  chmodSync(script, 0o755);
  return {
    command: script,
    runs: () => (existsSync(counter) ? readFileSync(counter, "utf8").trim().split("\n").length : 0),
  };
}

beforeEach(async () => {
  devKeys = await keysFor(env.moto.url, DEV);
  const bizKeys = await keysFor(env.moto.url, BIZ);
  await createTrustingRole(env.moto.url, bizKeys, {
    name: "BizCorpRole",
    trustedAccount: DEV,
    externalId: "Ext-1234567890",
    requireMfa: true,
    maxSessionDuration: 43200,
  });
  env.sandbox.writeConfig(SEED_PROFILE);
  env.sandbox.writeCredentials(credentialsSection("devcorpuser", devKeys));
  env.proxy.reset();
  env.proxy.strict = true;
});

describe("assume with the seed 001 profile (strict trust checks)", () => {
  it("assumes with an MFA code from each source, sending serial, code and external id", async () => {
    const totpSeed = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";
    const mfa = mfaScript();
    const cases: [string, string[], Record<string, string>][] = [
      ["--mfa-code", ["--mfa-code", "111111"], {}],
      ["ROLECTL_MFA_CODE", [], { ROLECTL_MFA_CODE: "222222" }],
      ["mfa_process", [], {}],
      ["--mfa-totp-secret-env", ["--mfa-totp-secret-env", "DEV_MFA_SEED"], { DEV_MFA_SEED: totpSeed }],
    ];
    for (const [source, args, extraEnv] of cases) {
      if (source === "mfa_process") env.sandbox.writeConfig(`${SEED_PROFILE}mfa_process = ${mfa.command}\n`);
      else env.sandbox.writeConfig(SEED_PROFILE);
      const before = Date.now();
      const r = await env.sandbox.run(
        ["assume", "--profile", "bizcorprole", "--json", "--no-cache", ...args],
        { env: extraEnv },
      );
      expect(r.stderr, source).toBe("");
      expect(r.code, source).toBe(0);
      const out = JSON.parse(r.stdout);
      expect(out.AssumedRoleArn).toMatch(
        new RegExp(`^arn:aws:sts::${BIZ}:assumed-role/BizCorpRole/rolectl-`),
      );
      expect(out.Region).toBe("us-east-1");
      const call = env.proxy.callsOf("AssumeRole").at(-1);
      expect(call?.answeredBy, source).toBe("moto");
      expect(call?.params).toMatchObject({
        RoleArn: ROLE_ARN,
        SerialNumber: MFA_SERIAL,
        ExternalId: "Ext-1234567890",
      });
      const expected: Record<string, string[]> = {
        "--mfa-code": ["111111"],
        ROLECTL_MFA_CODE: ["222222"],
        mfa_process: ["000001"],
        "--mfa-totp-secret-env": [totpCounter(before), totpCounter(Date.now())].map((c) =>
          totpCode(base32Decode(totpSeed), c),
        ),
      };
      expect(expected[source]).toContain(call?.params.TokenCode);
    }
    expect(mfa.runs()).toBe(1);
  });

  it("prints export lines for eval by default", async () => {
    const r = await env.sandbox.run(["assume", "--profile", "bizcorprole", "--mfa-code", "123456"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      /^unset AWS_PROFILE AWS_DEFAULT_PROFILE AWS_SECURITY_TOKEN\nexport AWS_ACCESS_KEY_ID='ASIA[A-Z0-9]+'\nexport AWS_SECRET_ACCESS_KEY='.+'\nexport AWS_SESSION_TOKEN='.+'\nexport AWS_CREDENTIAL_EXPIRATION='.+'\nexport AWS_REGION='us-east-1'\nexport AWS_DEFAULT_REGION='us-east-1'\n$/,
    );
    const viaShell = spawnSync("sh", ["-c", `eval "$(cat)"; echo "$AWS_REGION $AWS_ACCESS_KEY_ID"`], {
      input: r.stdout,
      encoding: "utf8",
    });
    expect(viaShell.stdout).toMatch(/^us-east-1 ASIA/);
  });

  it("after eval, no AWS_PROFILE is left to win over the keys (the JS SDK prefers it)", async () => {
    const shell = `export AWS_PROFILE=devcorpuser AWS_DEFAULT_PROFILE=devcorpuser; eval "$("${process.execPath}" "${BIN}" assume --profile bizcorprole --mfa-code 123456)"; echo "[\${AWS_PROFILE-unset}] [\${AWS_DEFAULT_PROFILE-unset}] $AWS_ACCESS_KEY_ID"`;
    const r = await runProgram("sh", ["-c", shell], env.sandbox.env);
    expect(r.stdout).toMatch(/^\[unset\] \[unset\] ASIA/);
  });

  it.skipIf(!hasFish)("fish: the same, through `rolectl assume --format fish | source`", async () => {
    const shell = `set -gx AWS_PROFILE devcorpuser; "${process.execPath}" "${BIN}" assume --profile bizcorprole --mfa-code 123456 --format fish | source; set -q AWS_PROFILE; and echo still; or echo unset $AWS_ACCESS_KEY_ID`;
    const r = await runProgram("fish", ["-c", shell], env.sandbox.env);
    expect(r.stdout).toMatch(/^unset ASIA/);
  });

  it("without an MFA source, non-interactively: exit 4 before calling STS, listing the sources", async () => {
    const r = await env.sandbox.run(["assume", "--profile", "bizcorprole"], { env: { CI: "true" } });
    expect(r.code).toBe(4);
    expect(r.stderr).toContain(`An MFA code is needed for ${MFA_SERIAL} (profile bizcorprole)`);
    expect(r.stderr).toMatch(/--mfa-code, ROLECTL_MFA_CODE, an mfa_process/);
    expect(env.proxy.callsOf("AssumeRole")).toHaveLength(0);
  });

  it("the trust policy really demands the external id and MFA: without them AWS says no (exit 4)", async () => {
    env.sandbox.writeConfig(SEED_PROFILE.replace("external_id = Ext-1234567890\n", ""));
    const noExternalId = await env.sandbox.run([
      "assume",
      "--profile",
      "bizcorprole",
      "--mfa-code",
      "123456",
    ]);
    expect(noExternalId.code).toBe(4);
    expect(noExternalId.stderr).toContain("is not authorized to perform: sts:AssumeRole");
    env.sandbox.writeConfig(SEED_PROFILE.replace(`mfa_serial = ${MFA_SERIAL}\n`, ""));
    const noMfa = await env.sandbox.run(["assume", "--profile", "bizcorprole"]);
    expect(noMfa.code).toBe(4);
    expect(env.proxy.callsOf("AssumeRole").map((c) => c.answeredBy)).toEqual(["strict", "strict"]);
  });

  it("a reused MFA code is refused with exit 4 and a hint", async () => {
    await env.sandbox.run(["assume", "--profile", "bizcorprole", "--mfa-code", "123456", "--no-cache"]);
    const again = await env.sandbox.run([
      "assume",
      "--profile",
      "bizcorprole",
      "--mfa-code",
      "123456",
      "--no-cache",
    ]);
    expect(again.code).toBe(4);
    expect(again.stderr).toContain("already used");
  });

  it("prompts on the terminal (/dev/tty) even when stdout is captured", async () => {
    const out = join(env.sandbox.dir, "captured.json");
    const child = spawn(
      "script",
      ["-qec", `${process.execPath} ${BIN} credential-process --profile bizcorprole > ${out}`, "/dev/null"],
      {
        env: { ...env.sandbox.env, TERM: "dumb" },
        stdio: ["pipe", "pipe", "pipe"],
      },
    );
    let screen = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => {
      screen += d;
      if (screen.includes("MFA code for") && !child.stdin.writableEnded) child.stdin.end("424242\r");
    });
    const code = await new Promise((r) => child.on("close", r));
    expect(screen).toContain(`MFA code for ${MFA_SERIAL} (profile bizcorprole): `);
    expect(screen).not.toContain("424242"); // typed, not echoed
    expect(code).toBe(0);
    expect(JSON.parse(readFileSync(out, "utf8")).Version).toBe(1);
    expect(env.proxy.callsOf("AssumeRole")[0]?.params.TokenCode).toBe("424242");
  });

  it.each([
    ["Ctrl-D (end of input)", "\u0004", 4, "No MFA code was given (end of input at the prompt)."],
    ["Ctrl-C", "\u0003", 130, "Interrupted at the MFA prompt."],
  ])("%s at the MFA prompt: exit 4 or 130, the message on its own line, no lock left", async (_l, key, code, message) => {
    const r = await runInPty(["assume", "--profile", "bizcorprole"], env.sandbox.env, [
      { expect: /MFA code for .*: $/, send: `12${key}` },
    ]);
    expect(r.code).toBe(code);
    expect(r.screen).toMatch(
      new RegExp(`\\(profile bizcorprole\\): \\r?\\n(error: )?${message.replace(/[.()]/g, "\\$&")}`),
    );
    expect(r.screen).not.toContain(": 12");
    expect(env.proxy.callsOf("AssumeRole")).toHaveLength(0);
    const leftovers = existsSync(env.sandbox.cacheDir) ? readdirSync(env.sandbox.cacheDir) : [];
    expect(leftovers.filter((f) => f.endsWith(".lock"))).toEqual([]);
  });

  it("SIGTERM at the MFA prompt: exit 130 with the message, the terminal back in its normal mode, no lock", async () => {
    const r = await runInPty(
      ["assume", "--profile", "bizcorprole"],
      env.sandbox.env,
      [{ expect: /MFA code for .*: $/, send: { signal: "SIGTERM" } }],
      20_000,
      "stty -a",
    );
    expect(r.screen).toContain("Interrupted at the MFA prompt.");
    expect(r.screen).toContain("rolectl exited 130");
    expect(r.screen).toMatch(/(^|\s)icanon(\s|$)/m); // not -icanon: raw mode was undone
    expect(r.screen).toMatch(/(^|\s)echo(\s|$)/m);
    const leftovers = existsSync(env.sandbox.cacheDir) ? readdirSync(env.sandbox.cacheDir) : [];
    expect(leftovers.filter((f) => f.endsWith(".lock"))).toEqual([]);
  });

  it("every command resolves a role profile as assume does: MFA from its sources, then the cache", async () => {
    const first = await env.sandbox.run(["whoami", "--profile", "bizcorprole", "--json"], {
      env: { ROLECTL_MFA_CODE: "123456" },
    });
    expect(first.code, first.stderr).toBe(0);
    expect(JSON.parse(first.stdout).arn).toMatch(
      new RegExp(`^arn:aws:sts::${BIZ}:assumed-role/BizCorpRole/`),
    );
    const again = await env.sandbox.run(["whoami", "--profile", "bizcorprole", "--json"]); // no code now
    expect(again.code, again.stderr).toBe(0);
    expect(env.proxy.callsOf("AssumeRole")).toHaveLength(1);
    expect(env.proxy.callsOf("AssumeRole")[0]?.params.TokenCode).toBe("123456");
  });

  it("a provisioning command's clients share one AssumeRole and one MFA code, even with no cache", async () => {
    const r = await env.sandbox.run(
      ["policy", "amplify-cli", "--create", "AmpCli", "--profile", "bizcorprole", "--json"],
      {
        env: { ROLECTL_MFA_CODE: "123456", ROLECTL_CACHE_DIR: "/proc/rolectl-no-cache" },
      },
    );
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).arn).toBe(`arn:aws:iam::${BIZ}:policy/AmpCli`);
    expect(env.proxy.callsOf("GetCallerIdentity")).toHaveLength(1); // the STS client…
    expect(env.proxy.callsOf("CreatePolicy")).toHaveLength(1); // …and the IAM client
    expect(env.proxy.callsOf("AssumeRole")).toHaveLength(1); // STS and IAM clients, one session
  });

  it("a credential_process profile can be the source of the role", async () => {
    const script = join(env.sandbox.dir, "creds.sh");
    const doc = {
      Version: 1,
      AccessKeyId: devKeys.accessKeyId,
      SecretAccessKey: devKeys.secretAccessKey,
      SessionToken: devKeys.sessionToken,
    };
    writeFileSync(script, `#!/bin/sh\ncat <<'JSON'\n${JSON.stringify(doc)}\nJSON\n`);
    chmodSync(script, 0o755);
    env.sandbox.writeConfig(
      SEED_PROFILE.replace("source_profile = devcorpuser", "source_profile = fromproc") +
        `[profile fromproc]\ncredential_process = ${script}\n`,
    );
    env.sandbox.writeCredentials("");
    const r = await env.sandbox.run(["assume", "--profile", "bizcorprole", "--mfa-code", "123456", "--json"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(env.proxy.callsOf("AssumeRole")[0]?.accessKeyId).toBe(devKeys.accessKeyId);
  });

  it("an ad-hoc --role-arn with --external-id and --mfa-serial, sourced from a profile", async () => {
    env.sandbox.writeConfig("");
    const r = await env.sandbox.run([
      "assume",
      "--profile",
      "devcorpuser",
      "--role-arn",
      ROLE_ARN,
      "--external-id",
      "Ext-1234567890",
      "--mfa-serial",
      MFA_SERIAL,
      "--mfa-code",
      "654321",
      "--format",
      "env",
    ]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^AWS_ACCESS_KEY_ID=ASIA/);
  });
});

describe("the credential cache", () => {
  const assume = (...extra: string[]) =>
    env.sandbox.run(["assume", "--profile", "bizcorprole", "--json", ...extra], {
      env: { ROLECTL_MFA_CODE: String(100000 + env.proxy.calls.length) },
    });

  it("serves a second assume from the cache; --refresh and the refresh window call STS again", async () => {
    const first = await assume();
    expect(first.code).toBe(0);
    const second = await assume();
    expect(second.stdout).toBe(first.stdout);
    expect(env.proxy.callsOf("AssumeRole")).toHaveLength(1);
    const refreshed = await assume("--refresh");
    expect(JSON.parse(refreshed.stdout).AccessKeyId).not.toBe(JSON.parse(first.stdout).AccessKeyId);
    expect(env.proxy.callsOf("AssumeRole")).toHaveLength(2);
    // 60 minutes left is inside a 61-minute refresh window
    await assume("--refresh-window", "61m");
    expect(env.proxy.callsOf("AssumeRole")).toHaveLength(3);
    await assume();
    expect(env.proxy.callsOf("AssumeRole")).toHaveLength(3);
  });

  it("keeps files 0600 in a 0700 directory, and cache list shows no secret", async () => {
    const r = await assume();
    const creds = JSON.parse(r.stdout);
    expect(statSync(env.sandbox.cacheDir).mode & 0o777).toBe(0o700);
    const files = readdirSync(env.sandbox.cacheDir).filter(
      (f) => f.endsWith(".json") && !f.startsWith("totp-"),
    );
    expect(files).toHaveLength(1);
    expect(statSync(join(env.sandbox.cacheDir, files[0] as string)).mode & 0o777).toBe(0o600);
    const list = await env.sandbox.run(["cache", "list"]);
    expect(list.stdout).toMatch(
      /^PROFILE\s+ROLE\s+EXPIRES\s+LEFT\nbizcorprole\s+arn:aws:iam::111111111111:role\/BizCorpRole\s+\S+\s+(59|60)m$/m,
    );
    const listJson = await env.sandbox.run(["cache", "list", "--json"]);
    for (const out of [list.stdout, listJson.stdout]) {
      expect(out).not.toContain(creds.SecretAccessKey);
      expect(out).not.toContain(creds.SessionToken);
    }
    // The fast path (plain `cache list`) and the full CLI (any other flag) print the same bytes.
    const full = await env.sandbox.run(["cache", "list", "--no-input"]);
    const fullJson = await env.sandbox.run(["cache", "list", "--json", "--no-input"]);
    expect(full.stdout.replace(/\d+m$/gm, "")).toBe(list.stdout.replace(/\d+m$/gm, ""));
    expect(JSON.parse(fullJson.stdout).map((r: { key: string }) => r.key)).toEqual(
      JSON.parse(listJson.stdout).map((r: { key: string }) => r.key),
    );
    expect(Object.keys(JSON.parse(listJson.stdout)[0])).toEqual(Object.keys(JSON.parse(fullJson.stdout)[0]));
  });

  it("cache clear also removes locks whose holders died, and leaves a live one", async () => {
    mkdirSync(env.sandbox.cacheDir, { recursive: true, mode: 0o700 });
    const dead = join(env.sandbox.cacheDir, `${"a".repeat(40)}.lock`);
    const live = join(env.sandbox.cacheDir, `${"b".repeat(40)}.lock`);
    writeFileSync(dead, `999999 ${hostname()} ${Date.now()}\n`);
    writeFileSync(live, `${process.pid} ${hostname()} ${Date.now()}\n`);
    const r = await env.sandbox.run(["cache", "clear"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("and 1 stale lock");
    expect(existsSync(dead)).toBe(false);
    expect(existsSync(live)).toBe(true);
  });

  it("cache clear --profile removes only that profile's entries", async () => {
    env.sandbox.writeConfig(
      `${SEED_PROFILE}[profile other]\nrole_arn = arn:aws:iam::${DEV}:role/Other\nsource_profile = devcorpuser\n`,
    );
    env.proxy.strict = false;
    await assume();
    await env.sandbox.run(["assume", "--profile", "other"]);
    const cleared = await env.sandbox.run(["cache", "clear", "--profile", "other", "--json"]);
    expect(JSON.parse(cleared.stdout)).toMatchObject({ removed: 1, profile: "other" });
    const left = JSON.parse((await env.sandbox.run(["cache", "list", "--json"])).stdout);
    expect(left.map((e: { profile: string }) => e.profile)).toEqual(["bizcorprole"]);
    expect(JSON.parse((await env.sandbox.run(["cache", "clear", "--json"])).stdout).removed).toBe(1);
  });

  it("replaces truncated and garbage cache files", async () => {
    const first = await assume();
    const file = readdirSync(env.sandbox.cacheDir).find((f) => /^[0-9a-f]{40}\.json$/.test(f)) as string;
    const path = join(env.sandbox.cacheDir, file);
    for (const junk of [readFileSync(path, "utf8").slice(0, 40), "\u0000\u0001garbage"]) {
      writeFileSync(path, junk);
      const r = await assume();
      expect(r.code).toBe(0);
      expect(JSON.parse(r.stdout).AccessKeyId).not.toBe(JSON.parse(first.stdout).AccessKeyId);
      expect(JSON.parse(readFileSync(path, "utf8")).version).toBe(1);
    }
    expect(env.proxy.callsOf("AssumeRole")).toHaveLength(3);
  });

  // Only root can give the directory to another user; elsewhere this shows as skipped.
  it.runIf(process.getuid?.() === 0)("refuses a cache directory that belongs to another user", async () => {
    await assume();
    spawnSync("chown", ["4242:4242", env.sandbox.cacheDir]);
    expect(statSync(env.sandbox.cacheDir).uid).toBe(4242);
    const r = await assume("--refresh");
    expect(r.code).toBe(3);
    expect(r.stderr).toContain("belongs to another user");
  });

  it("30 concurrent credential-process calls on a cold cache: one AssumeRole, one MFA code, same answer", async () => {
    const mfa = mfaScript();
    env.sandbox.writeConfig(`${SEED_PROFILE}mfa_process = ${mfa.command}\n`);
    const results = await Promise.all(
      Array.from({ length: 30 }, () =>
        env.sandbox.run(["credential-process", "--profile", "bizcorprole"], { timeoutMs: 60_000 }),
      ),
    );
    expect(results.map((r) => r.code)).toEqual(Array(30).fill(0));
    const outputs = new Set(results.map((r) => r.stdout));
    expect(outputs.size).toBe(1);
    const doc = JSON.parse([...outputs][0] as string);
    expect(doc).toMatchObject({
      Version: 1,
      AccessKeyId: expect.stringMatching(/^ASIA/),
      Expiration: expect.any(String),
    });
    expect(env.proxy.callsOf("AssumeRole")).toHaveLength(1);
    expect(mfa.runs()).toBe(1);
  }, 90_000);

  it("a process killed while holding the lock does not block the next one", async () => {
    const slow = join(env.sandbox.dir, "slow-mfa.sh");
    writeFileSync(slow, "#!/bin/sh\nsleep 4\necho 111111\n");
    chmodSync(slow, 0o755);
    env.sandbox.writeConfig(`${SEED_PROFILE}mfa_process = ${slow}\n`);
    const holder = spawn(process.execPath, [BIN, "credential-process", "--profile", "bizcorprole"], {
      env: env.sandbox.env,
      stdio: "ignore",
    });
    const lockSeen = await new Promise<boolean>((resolve) => {
      const started = Date.now();
      const poll = setInterval(() => {
        const locked =
          existsSync(env.sandbox.cacheDir) &&
          readdirSync(env.sandbox.cacheDir).some((f) => f.endsWith(".lock"));
        if (locked || Date.now() - started > 10_000) {
          clearInterval(poll);
          resolve(locked);
        }
      }, 20);
    });
    expect(lockSeen).toBe(true);
    holder.kill("SIGKILL");
    await new Promise((r) => holder.once("exit", r));
    env.sandbox.writeConfig(SEED_PROFILE);
    const started = Date.now();
    const r = await env.sandbox.run([
      "credential-process",
      "--profile",
      "bizcorprole",
      "--mfa-code",
      "222222",
    ]);
    expect(r.code).toBe(0);
    expect(Date.now() - started).toBeLessThan(3000);
  });
});

describe("exec, credential-process and the AWS CLI", () => {
  it("exec runs the command with the role's credentials and passes its exit status on", async () => {
    const r = await env.sandbox.run(
      [
        "exec",
        "--profile",
        "bizcorprole",
        "--mfa-code",
        "123456",
        "--",
        "sh",
        "-c",
        // biome-ignore lint/suspicious/noTemplateCurlyInString: a shell parameter expansion
        'echo "$AWS_ACCESS_KEY_ID ${AWS_PROFILE:-none} $AWS_REGION"; exit 7',
      ],
      { env: { AWS_PROFILE: "bizcorprole" } },
    );
    expect(r.code).toBe(7);
    expect(r.stdout).toMatch(/^ASIA[A-Z0-9]+ none us-east-1\n$/);
    const missing = await env.sandbox.run(["exec", "--profile", "bizcorprole", "--", "no-such-command-xyz"]);
    expect(missing.code).toBe(127); // as a shell says it
    expect(missing.stderr).toContain("command not found");
    const script = join(env.sandbox.dir, "not-executable.sh");
    writeFileSync(script, "#!/bin/sh\necho hi\n", { mode: 0o644 });
    const denied = await env.sandbox.run(["exec", "--profile", "bizcorprole", "--", script]);
    expect(denied.code).toBe(126);
    expect(denied.stderr).toContain("permission denied");
    // A child killed by a signal: 128 + that signal's number, whichever signal it is.
    for (const [signal, status] of [
      ["KILL", 137],
      ["SEGV", 139],
      ["ABRT", 134],
    ] as const) {
      const killed = await env.sandbox.run([
        "exec",
        "--profile",
        "bizcorprole",
        "--",
        "sh",
        "-c",
        `kill -${signal} $$`,
      ]);
      expect(killed.code, signal).toBe(status);
    }
  });

  it.each([
    ["a path under /proc (where a recursive mkdir used to spin)", () => "/proc/rolectl-cache"],
    [
      "a path under a regular file",
      () => {
        const file = join(env.sandbox.dir, "a-file");
        writeFileSync(file, "");
        return join(file, "cache");
      },
    ],
  ])("an unwritable cache (%s): the credentials are handed out, with one warning", async (_l, dir) => {
    const r = await env.sandbox.run(
      ["assume", "--profile", "bizcorprole", "--mfa-code", "123456", "--json"],
      {
        env: { ROLECTL_CACHE_DIR: dir() },
        timeoutMs: 10_000,
      },
    );
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).AccessKeyId).toMatch(/^ASIA/);
    const warnings = r.stderr.split("\n").filter((l) => l.includes("Cannot write the credential cache"));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain("ROLECTL_CACHE_DIR");
  });

  it("--dry-run is refused where it would be ignored (exec would run the command anyway)", async () => {
    // Cached credentials, so the cache-hit path would answer if it took the flag.
    expect((await env.sandbox.run(["assume", "--profile", "bizcorprole", "--mfa-code", "123456"])).code).toBe(
      0,
    );
    const marker = join(env.sandbox.dir, "ran");
    for (const args of [
      ["exec", "--profile", "bizcorprole", "--dry-run", "--", "touch", marker],
      ["assume", "--profile", "bizcorprole", "--dry-run"],
      ["credential-process", "--profile", "bizcorprole", "--dry-run"],
      ["whoami", "--dry-run"],
    ]) {
      const r = await env.sandbox.run(args);
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.stderr).toMatch(
        /--dry-run does nothing for `rolectl (exec|assume|credential-process|whoami)`/,
      );
    }
    expect(existsSync(marker)).toBe(false);
    // --json with another --format: two outputs asked for, so neither is guessed (cache hit or not)
    const both = await env.sandbox.run(["assume", "--profile", "bizcorprole", "--json", "--format", "env"]);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain("--json and --format env ask for two different outputs");
    // …including an explicit --format export, which is also the default.
    const explicit = await env.sandbox.run([
      "assume",
      "--profile",
      "bizcorprole",
      "--json",
      "--format",
      "export",
    ]);
    expect(explicit.code).toBe(2);
    expect(explicit.stderr).toContain("--json and --format export ask for two different outputs");
  });

  it("arguments after -- belong to the command, --json included, even when rolectl fails", async () => {
    const r = await env.sandbox.run([
      "exec",
      "--profile",
      "bizcorprole",
      "--mfa-code",
      "123456",
      "--",
      "echo",
      "--json",
    ]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("--json\n");
    const bad = await env.sandbox.run(["exec", "--profile", "nope", "--", "echo", "--json"]);
    expect(bad.code).toBe(3);
    expect(bad.stderr).toMatch(/^error: Profile "nope" is not in /);
    expect(bad.stdout).toBe("");
  });

  it("exec forwards signals to the command and exits with its status", async () => {
    // A Node child, not a shell: a shell's trap races its own background jobs, and a stray
    // `sleep` holding stdout would keep the pipe open long after the exit.
    const script =
      "process.on('SIGTERM', () => { console.log('got-TERM'); process.exit(42); });" +
      "console.log('ready'); setInterval(() => {}, 1000);";
    let sent = false;
    const r = await env.sandbox.run(
      ["exec", "--profile", "bizcorprole", "--mfa-code", "123456", "--", process.execPath, "-e", script],
      {
        onSpawn: (child) => {
          child.stdout?.on("data", (d: Buffer) => {
            if (!sent && d.toString().includes("ready")) {
              sent = true;
              child.kill("SIGTERM");
            }
          });
        },
      },
    );
    expect(sent).toBe(true);
    expect(r.stdout).toContain("got-TERM");
    expect(r.code).toBe(42);
  });

  it("the AWS CLI gets credentials through credential_process = rolectl credential-process", async () => {
    const installArgs = ["assume", "--profile", "bizcorprole", "--install-credential-process", "bizcorp"];
    const before = readFileSync(env.sandbox.configPath, "utf8");
    const dry = await env.sandbox.run([...installArgs, "--dry-run"]);
    expect(dry.code).toBe(0);
    expect(dry.stderr).toMatch(/^would write \[profile bizcorp\] credential_process = .* to /m);
    expect(readFileSync(env.sandbox.configPath, "utf8")).toBe(before);
    expect(env.proxy.calls).toEqual([]);
    const install = await env.sandbox.run([...installArgs, "--mfa-code", "123456"]);
    expect(install.code).toBe(0);
    expect(install.stderr).toMatch(/^wrote \[profile bizcorp\] credential_process = /m);
    expect(readFileSync(env.sandbox.configPath, "utf8")).toMatch(
      /\[profile bizcorp\]\ncredential_process = .*credential-process --profile bizcorprole\nregion = us-east-1\n$/,
    );
    expect(readFileSync(env.sandbox.configPath, "utf8").startsWith(SEED_PROFILE)).toBe(true);
    const aws = await runProgram(
      "aws",
      [
        "sts",
        "get-caller-identity",
        "--profile",
        "bizcorp",
        "--endpoint-url",
        env.proxy.url,
        "--output",
        "json",
      ],
      env.sandbox.env, // no region variable: the profile's own region line serves
    );
    expect(aws.code).toBe(0);
    expect(aws.stderr).toBe("");
    expect(JSON.parse(aws.stdout).Arn).toMatch(new RegExp(`^arn:aws:sts::${BIZ}:assumed-role/BizCorpRole/`));
    expect(env.proxy.callsOf("AssumeRole")).toHaveLength(1); // served from the cache the install run filled
  });

  it("--install-credential-process refuses an existing profile unless --force, which replaces what would compete", async () => {
    const existing = `${SEED_PROFILE}\n[profile taken]\nrole_arn = arn:aws:iam::${BIZ}:role/Other\nsource_profile = devcorpuser\n`;
    env.sandbox.writeConfig(existing);
    const args = [
      "assume",
      "--profile",
      "bizcorprole",
      "--mfa-code",
      "123456",
      "--install-credential-process",
      "taken",
    ];
    const refused = await env.sandbox.run(args);
    expect(refused.code).toBe(5);
    expect(refused.stderr).toContain(
      "Profile taken already exists (role_arn = arn:aws:iam::111111111111:role/Other",
    );
    expect(readFileSync(env.sandbox.configPath, "utf8")).toBe(existing);
    expect(env.proxy.calls).toEqual([]);
    const forced = await env.sandbox.run([...args, "--force"]);
    expect(forced.code, forced.stderr).toBe(0);
    expect(readFileSync(env.sandbox.configPath, "utf8")).toMatch(
      /\[profile taken\]\ncredential_process = .*--profile bizcorprole\nregion = us-east-1\n$/,
    );
  });

  it("--install-credential-process refuses a name the credentials file has keys for (they would win)", async () => {
    const creds = readFileSync(env.sandbox.credentialsPath, "utf8");
    env.sandbox.writeCredentials(
      `${creds}\n[haskeys]\naws_access_key_id = AKIAHASKEYS000000000\naws_secret_access_key = s\n`,
    );
    const r = await env.sandbox.run([
      ...["assume", "--profile", "bizcorprole", "--mfa-code", "123456"],
      ...["--install-credential-process", "haskeys", "--force"],
    ]);
    expect(r.code).toBe(5);
    expect(r.stderr).toContain(`Profile haskeys has keys in ${env.sandbox.credentialsPath}`);
    const alone = await env.sandbox.run(["assume", "--profile", "bizcorprole", "--force"]);
    expect(alone.code).toBe(2);
    expect(alone.stderr).toContain("--force goes with --install-credential-process");
  });

  it("--install-credential-process quotes a profile name the shell would split", async () => {
    env.sandbox.writeConfig(SEED_PROFILE.replace("[profile bizcorprole]", "[profile team&dev]"));
    const r = await env.sandbox.run([
      "assume",
      "--profile",
      "team&dev",
      "--mfa-code",
      "123456",
      "--install-credential-process",
      "teamdev-cp",
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(env.sandbox.configPath, "utf8")).toContain(
      "credential-process --profile 'team&dev'\n",
    );
    const aws = await runProgram(
      "aws",
      [
        "sts",
        "get-caller-identity",
        "--profile",
        "teamdev-cp",
        "--endpoint-url",
        env.proxy.url,
        "--output",
        "json",
      ],
      env.sandbox.env,
    );
    expect(aws.code, aws.stderr).toBe(0);
    expect(JSON.parse(aws.stdout).Arn).toContain(":assumed-role/BizCorpRole/");
  });

  it("a cache hit loads neither commander nor the AWS SDK", async () => {
    await env.sandbox.run(["assume", "--profile", "bizcorprole", "--mfa-code", "123456"]);
    const log = join(env.sandbox.dir, "loads.log");
    const { result, files, inputs } = await loadedModules(
      ["credential-process", "--profile", "bizcorprole"],
      env.sandbox.env,
      log,
    );
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout).Version).toBe(1);
    expect(files).toEqual(["dist/fast.cjs"]);
    expect(inputs.filter((i) => HEAVY.test(i))).toEqual([]);
    // and a miss falls through to the full CLI, which does load the SDK
    const miss = await loadedModules(
      ["credential-process", "--profile", "bizcorprole", "--refresh", "--mfa-code", "654321"],
      env.sandbox.env,
      `${log}2`,
    );
    expect(miss.result.code).toBe(0);
    expect(miss.inputs.some((i) => i.includes("node_modules/@aws-sdk/client-sts/"))).toBe(true);
  });
});

describe("failures", () => {
  it("expired source credentials: exit 4 with a hint naming the source profile", async () => {
    env.proxy.inject("AssumeRole", { kind: "expiredToken" });
    const r = await env.sandbox.run(["assume", "--profile", "bizcorprole", "--mfa-code", "123456"]);
    expect(r.code).toBe(4);
    expect(r.stderr).toContain("hint: The credentials of source profile devcorpuser have expired");
  });

  it("throttled AssumeRole is retried", async () => {
    env.proxy.inject("AssumeRole", { kind: "throttle" }, 2);
    const r = await env.sandbox.run(["assume", "--profile", "bizcorprole", "--mfa-code", "123456", "--json"]);
    expect(r.code).toBe(0);
    expect(env.proxy.callsOf("AssumeRole").map((c) => c.answeredBy)).toEqual([
      "throttle",
      "throttle",
      "moto",
    ]);
  });

  it("role chaining: a chained duration over 3600 s is clamped with a warning, not sent", async () => {
    env.proxy.strict = false;
    env.sandbox.writeConfig(
      `${SEED_PROFILE}[profile deeper]\nrole_arn = arn:aws:iam::${BIZ}:role/Deeper\nsource_profile = bizcorprole\nduration_seconds = 7200\n`,
    );
    const r = await env.sandbox.run(["assume", "--profile", "deeper", "--mfa-code", "123456", "--json"]);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain("role chaining");
    expect(env.proxy.callsOf("AssumeRole").map((c) => [c.params.RoleArn, c.params.DurationSeconds])).toEqual([
      [ROLE_ARN, "3600"],
      [`arn:aws:iam::${BIZ}:role/Deeper`, "3600"],
    ]);
    // A cache hit (the fast path's plan carries the warning, so the full CLI answers) warns the
    // same way, for every output form, and makes no new call.
    const warning = r.stderr.split("\n").find((l) => l.includes("role chaining"));
    expect(warning).toMatch(
      /^warning: arn:aws:iam::111111111111:role\/Deeper is assumed with another role's credentials/,
    );
    for (const args of [["assume"], ["assume", "--json"], ["credential-process"]]) {
      const hit = await env.sandbox.run([...args, "--profile", "deeper"]);
      expect(hit.code, args.join(" ")).toBe(0);
      expect(hit.stderr.split("\n").filter((l) => l.includes("role chaining"))).toEqual([warning]);
    }
    expect(env.proxy.callsOf("AssumeRole")).toHaveLength(2);
  });

  it.each([
    [
      "a profile cycle",
      "[profile a]\nrole_arn = arn:aws:iam::111111111111:role/A\nsource_profile = b\n[profile b]\nrole_arn = arn:aws:iam::111111111111:role/B\nsource_profile = a\n",
      ["--profile", "a"],
      3,
      "Profile cycle: a -> b -> a",
    ],
    [
      "a bad role_arn in the file",
      "[profile a]\nrole_arn = arn:aws:iam::12:role/A\nsource_profile = devcorpuser\n",
      ["--profile", "a"],
      3,
      "Invalid role ARN",
    ],
    [
      "a bad --duration",
      SEED_PROFILE,
      ["--profile", "bizcorprole", "--duration", "10"],
      2,
      'Invalid duration "10" (--duration)',
    ],
    [
      "a bad --mfa-code",
      SEED_PROFILE,
      ["--profile", "bizcorprole", "--mfa-code", "12ab56"],
      2,
      "Invalid MFA code (--mfa-code)",
    ],
    ["a bad --role-arn", SEED_PROFILE, ["--role-arn", "arn:aws:iam::1:role/x"], 2, "Invalid role ARN"],
    ["no profile at all", SEED_PROFILE, [], 2, "Missing required value --profile"],
  ])("%s is refused before any AWS call", async (_name, config, args, code, message) => {
    env.sandbox.writeConfig(config);
    const r = await env.sandbox.run(["assume", ...args]);
    expect(r.stderr).toContain(message);
    expect(r.code).toBe(code);
    expect(env.proxy.calls).toHaveLength(0);
  });
});
