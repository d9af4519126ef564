import { execFileSync } from "node:child_process";
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  statSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { fileCredentialCache } from "../../src/cache/credential-cache.js";
import { ensureCacheDir, readCacheEntry, writeCacheEntry } from "../../src/cache/store.js";
import { fileTotpState } from "../../src/cache/totp-state.js";
import { type ChainDeps, cachedCredentials, resolveChainCredentials } from "../../src/core/assume/chain.js";
import { credentialEnvironment, formatCredentials } from "../../src/core/assume/format.js";
import { createMfaProvider, type MfaSourceOptions } from "../../src/core/assume/mfa.js";
import { planChain } from "../../src/core/assume/plan.js";
import { parseProcessCredentials } from "../../src/core/assume/process-credentials.js";
import { base32Decode, totpCode, totpCounter } from "../../src/core/assume/totp.js";
import { sweepStaleTempFiles } from "../../src/fs/atomic.js";
import { acquireLock } from "../../src/fs/lock.js";
import type { AssumeRoleParams } from "../../src/shared/credentials.js";
import { secretDigest } from "../../src/shared/digest.js";

const creds = {
  AccessKeyId: "ASIAXEXAMPLEKEY12345",
  SecretAccessKey: "se'cret",
  SessionToken: "tok+en/=",
  Expiration: "2030-01-01T00:00:00.000Z",
};

/** The chain's other sources, for tests that do not reach them. */
const UNUSED_SOURCES = {
  ssoRoleCredentials: async () => {
    throw new Error("no IAM Identity Center in this test");
  },
  webIdentityToken: async () => {
    throw new Error("no web identity in this test");
  },
  assumeRoleWithWebIdentity: async () => {
    throw new Error("no web identity in this test");
  },
};

describe("formatCredentials", () => {
  it("quotes for sh and fish, escapes for PowerShell, and adds the region", () => {
    const h = { credentials: creds, region: "eu-west-1" };
    expect(formatCredentials(h, "export")).toContain("export AWS_SECRET_ACCESS_KEY='se'\\''cret'\n");
    expect(formatCredentials(h, "export")).toContain("export AWS_REGION='eu-west-1'");
    expect(formatCredentials(h, "fish")).toContain("set -gx AWS_SESSION_TOKEN 'tok+en/=';");
    // fish: a backslash and a quote are escaped inside single quotes
    expect(formatCredentials(h, "fish")).toContain("set -gx AWS_SECRET_ACCESS_KEY 'se\\'cret';");
    const slashy = { credentials: { ...creds, SecretAccessKey: "a\\b" } };
    expect(formatCredentials(slashy, "fish")).toContain("set -gx AWS_SECRET_ACCESS_KEY 'a\\\\b';");
    // the profile variables go first, or the JS SDK would keep using the old profile
    expect(
      formatCredentials(h, "export").startsWith("unset AWS_PROFILE AWS_DEFAULT_PROFILE AWS_SECURITY_TOKEN\n"),
    ).toBe(true);
    expect(
      formatCredentials(h, "fish").startsWith(
        "set -e AWS_PROFILE;\nset -e AWS_DEFAULT_PROFILE;\nset -e AWS_SECURITY_TOKEN;\n",
      ),
    ).toBe(true);
    expect(formatCredentials(h, "powershell")).toContain(
      "Remove-Item Env:AWS_PROFILE -ErrorAction SilentlyContinue\n",
    );
    expect(formatCredentials(h, "powershell")).toContain('$Env:AWS_ACCESS_KEY_ID = "ASIAXEXAMPLEKEY12345"');
    expect(formatCredentials(h, "env")).toContain("AWS_SESSION_TOKEN=tok+en/=\n");
    expect(JSON.parse(formatCredentials(h, "credential-process"))).toEqual({ Version: 1, ...creds });
    expect(JSON.parse(formatCredentials(h, "json"))).toEqual({
      ...creds,
      Region: "eu-west-1",
      AssumedRoleArn: null,
    });
  });

  it("gives a child the new credentials and none of the old", () => {
    const env = credentialEnvironment(
      { PATH: "/bin", AWS_PROFILE: "x", AWS_SECURITY_TOKEN: "old", AWS_SESSION_TOKEN: "old" },
      { credentials: creds },
    );
    expect(env).toMatchObject({
      PATH: "/bin",
      AWS_ACCESS_KEY_ID: "ASIAXEXAMPLEKEY12345",
      AWS_SESSION_TOKEN: "tok+en/=",
    });
    expect(env.AWS_PROFILE).toBeUndefined();
    expect(env.AWS_SECURITY_TOKEN).toBeUndefined();
  });
});

describe("TOTP", () => {
  it("matches RFC 6238's SHA-1 test vectors (last 6 digits)", () => {
    const secret = Buffer.from("12345678901234567890");
    expect(totpCode(secret, totpCounter(59_000))).toBe("287082");
    expect(totpCode(secret, totpCounter(1111111109_000))).toBe("081804");
    expect(totpCode(secret, totpCounter(20000000000_000))).toBe("353130");
  });
  it("decodes base32 seeds", () => {
    expect(base32Decode("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ").toString()).toBe("12345678901234567890");
    expect(() => base32Decode("not!base32")).toThrow();
  });
});

describe("MFA sources", () => {
  const base = (over: Partial<MfaSourceOptions> = {}): MfaSourceOptions => {
    const state = new Map<string, number>();
    return {
      env: {},
      runProcess: async () => "111111",
      totpState: { lastCounter: async (s) => state.get(s), remember: async (s, c) => void state.set(s, c) },
      now: () => 1_700_000_000_000,
      sleep: async () => {},
      notice: () => {},
      ...over,
    };
  };
  const req = { serial: "arn:aws:iam::222222222222:mfa/u", profile: "p", mfaProcess: "get-code" };

  it("prefers --mfa-code, then ROLECTL_MFA_CODE, each once, then mfa_process", async () => {
    const mfa = createMfaProvider(base({ flagCode: "222222", env: { ROLECTL_MFA_CODE: "333333" } }));
    expect(await mfa(req)).toBe("222222");
    expect(await mfa(req)).toBe("111111");
    const fromEnv = createMfaProvider(base({ env: { ROLECTL_MFA_CODE: "333333" } }));
    expect(await fromEnv(req)).toBe("333333");
  });

  it("validates codes before any AWS call", async () => {
    await expect(createMfaProvider(base({ flagCode: "12345" }))(req)).rejects.toThrow(
      /must be exactly 6 digits/,
    );
    await expect(createMfaProvider(base({ runProcess: async () => "oops" }))(req)).rejects.toThrow(
      /mfa_process of profile p/,
    );
  });

  it("computes TOTP from a seed and waits for the next window instead of reusing one", async () => {
    let now = 1_700_000_000_000;
    const sleeps: number[] = [];
    const opts = base({
      env: { SEED: "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ" },
      totpSecretEnv: "SEED",
      now: () => now,
      sleep: async (ms) => {
        sleeps.push(ms);
        now += ms;
      },
    });
    const mfa = createMfaProvider(opts);
    const { mfaProcess: _, ...noProcess } = req;
    const first = await mfa(noProcess);
    const second = await mfa(noProcess);
    expect(first).toMatch(/^\d{6}$/);
    expect(second).not.toBe(first);
    expect(sleeps).toHaveLength(1);
    expect(sleeps[0]).toBeLessThanOrEqual(30_050);
  });

  describe("hostile: TOTP state", () => {
    it("a stored window ahead of the clock (a clock set back, a 1e15 planted) is ignored, never waited for", async () => {
      const now = 1_700_000_000_000;
      const nowCounter = totpCounter(now);
      for (const ahead of [nowCounter + 2880, 1e15]) {
        const sleeps: number[] = [];
        const remembered: number[] = [];
        const mfa = createMfaProvider(
          base({
            env: { SEED: "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ" },
            totpSecretEnv: "SEED",
            now: () => now,
            sleep: async (ms) => void sleeps.push(ms),
            totpState: { lastCounter: async () => ahead, remember: async (_s, c) => void remembered.push(c) },
          }),
        );
        const { mfaProcess: _, ...noProcess } = req;
        expect(await mfa(noProcess)).toBe(
          totpCode(base32Decode("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"), nowCounter),
        );
        expect(sleeps).toEqual([]);
        expect(remembered).toEqual([nowCounter]);
      }
    });

    it("a stored counter that is not a whole number is no counter", async () => {
      const d = mkdtempSync(join(tmpdir(), "rolectl-totp-"));
      const state = fileTotpState(d);
      await state.remember("s", 5);
      expect(await state.lastCounter("s")).toBe(5);
      for (const bad of [1e300, -3, 2.5]) {
        await state.remember("s", bad);
        expect(await state.lastCounter("s")).toBeUndefined();
      }
    });
  });

  it("without a source and without a terminal: exit 4 listing the sources", async () => {
    const { mfaProcess: _, ...noProcess } = req;
    const err = await createMfaProvider(base({ nonInteractiveReason: "CI=true" }))(noProcess).catch((e) => e);
    expect(err.exitCode).toBe(4);
    expect(err.hint).toMatch(/--mfa-code, ROLECTL_MFA_CODE, an mfa_process .* --mfa-totp-secret-env/);
    expect(err.hint).toContain("CI=true");
  });
});

describe("cache store and lock", () => {
  const dir = () => mkdtempSync(join(tmpdir(), "rolectl-unit-"));
  const entry = {
    version: 1 as const,
    roleArn: "arn:aws:iam::111111111111:role/R",
    sessionName: "",
    createdAt: "x",
    credentials: creds,
  };

  it("writes 0600 files atomically and reads them back", async () => {
    const d = dir();
    await writeCacheEntry(d, "a".repeat(40), entry);
    expect(statSync(join(d, `${"a".repeat(40)}.json`)).mode & 0o777).toBe(0o600);
    expect(await readCacheEntry(d, "a".repeat(40))).toEqual(entry);
  });

  it("treats an entry made for other key material as a miss (a file-name collision is harmless)", async () => {
    const d = dir();
    const k = "c".repeat(40);
    await writeCacheEntry(d, k, { ...entry, key: '["role-a"]' });
    expect(readCacheEntry(d, k, '["role-a"]')).toBeDefined();
    expect(readCacheEntry(d, k, '["role-b"]')).toBeUndefined();
  });

  it("ignores and removes corrupt, truncated and symlinked entries", async () => {
    const d = dir();
    const k = "b".repeat(40);
    for (const junk of ["{not json", '{"version":1,"roleArn":"x"}', JSON.stringify(entry).slice(0, 50)]) {
      writeFileSync(join(d, `${k}.json`), junk);
      expect(await readCacheEntry(d, k)).toBeUndefined();
    }
    const target = join(d, "elsewhere.json");
    writeFileSync(target, JSON.stringify(entry));
    symlinkSync(target, join(d, `${k}.json`));
    expect(await readCacheEntry(d, k)).toBeUndefined();
    expect(readFileSync(target, "utf8")).toBe(JSON.stringify(entry)); // the target is untouched
  });

  describe("hostile: shared directories", () => {
    it("sweeps temp files a killed writer left, but only stale ones, with our prefix, of this user", async () => {
      const d = dir();
      const stale = join(d, `.rolectl-${"d".repeat(40)}.json.123.abc.tmp`);
      const fresh = join(d, `.rolectl-${"e".repeat(40)}.json.456.def.tmp`);
      const anothers = join(d, `${"f".repeat(40)}.json.123.abc.tmp`); // another program's temp file
      const old = new Date(Date.now() - 120_000);
      for (const p of [stale, fresh, anothers]) writeFileSync(p, "x");
      for (const p of [stale, anothers]) utimesSync(p, old, old);
      await sweepStaleTempFiles(d);
      expect([stale, fresh, anothers].map((p) => existsSync(p))).toEqual([false, true, true]);
    });

    it("refuses an existing cache directory others can write to, and leaves every mode alone", async () => {
      for (const mode of [0o1777, 0o777, 0o775, 0o1700]) {
        const d = dir();
        chmodSync(d, mode);
        await expect(ensureCacheDir(d)).rejects.toThrow(/writable by other users \(mode 0?\d+\)/);
        expect(statSync(d).mode & 0o7777).toBe(mode);
      }
      for (const mode of [0o755, 0o750, 0o700]) {
        const d = dir();
        chmodSync(d, mode);
        await ensureCacheDir(d);
        expect(statSync(d).mode & 0o7777).toBe(mode);
      }
      const fresh = join(dir(), "new", "cache");
      await ensureCacheDir(fresh);
      expect(statSync(fresh).mode & 0o7777).toBe(0o700);
    });
  });

  it("breaks a lock whose holder is dead at once", async () => {
    const d = dir();
    writeFileSync(join(d, "k.lock"), `999999 ${(await import("node:os")).hostname()} 0\n`);
    const started = Date.now();
    const lock = await acquireLock(join(d, "k.lock"), { timeoutMs: 5000 });
    expect(Date.now() - started).toBeLessThan(1000);
    await lock.release();
  });

  describe("hostile: locks", () => {
    it("a FIFO, a directory or a symlink in a lock's place is an error at once, not a hang", async () => {
      const d = dir();
      execFileSync("mkfifo", [join(d, "fifo.lock")]);
      mkdirSync(join(d, "dir.lock"));
      symlinkSync("/etc/hostname", join(d, "link.lock"));
      for (const [name, what] of [
        ["fifo", "a FIFO"],
        ["dir", "a directory"],
        ["link", "a symlink"],
      ]) {
        const started = Date.now();
        await expect(acquireLock(join(d, `${name}.lock`), { timeoutMs: 5000 })).rejects.toThrow(
          `Lock file ${join(d, `${name}.lock`)} is ${what}, not a lock rolectl made`,
        );
        expect(Date.now() - started).toBeLessThan(1000);
      }
    });

    it("a holder touches its lock while it holds it, so a live one on another host is not broken", async () => {
      const d = dir();
      const path = join(d, "k.lock");
      const lock = await acquireLock(path, { heartbeatMs: 50 });
      const old = new Date(Date.now() - 60_000);
      utimesSync(path, old, old);
      await new Promise((r) => setTimeout(r, 200));
      expect(Date.now() - statSync(path).mtimeMs).toBeLessThan(1000);
      await lock.release();
    });

    it("names a holder on another host at once, and breaks its lock once untouched for 30 s, not 5 minutes", async () => {
      const d = dir();
      const path = join(d, "k.lock");
      writeFileSync(path, "4242 build-container-7 0\n");
      const seen: unknown[] = [];
      const waiting = acquireLock(path, { timeoutMs: 400 }, (holder) => seen.push(holder));
      await expect(waiting).rejects.toThrow(/Timed out/);
      expect(seen).toEqual([{ pid: 4242, host: "build-container-7", local: false }]);
      const old = new Date(Date.now() - 31_000);
      utimesSync(path, old, old);
      const started = Date.now();
      await (await acquireLock(path, { timeoutMs: 5000 })).release();
      expect(Date.now() - started).toBeLessThan(1000);
    });
  });

  it("waits for a live holder", async () => {
    const d = dir();
    const first = await acquireLock(join(d, "k.lock"));
    let waited = false;
    const second = acquireLock(join(d, "k.lock"), { timeoutMs: 5000 }, () => {
      waited = true;
    });
    setTimeout(() => void first.release(), 200);
    await (await second).release();
    expect(waited).toBe(true);
  });
});

describe("resolveChainCredentials", () => {
  const plan = planChain(
    {
      name: "p",
      base: { kind: "static", profile: "k", accessKeyId: "AK", secretAccessKey: "SK" },
      roles: [
        {
          profile: "p",
          roleArn: "arn:aws:iam::111111111111:role/R",
          mfaSerial: "arn:aws:iam::222222222222:mfa/u",
        },
      ],
    },
    {},
  );
  const deps = (calls: AssumeRoleParams[], over: Partial<ChainDeps> = {}): ChainDeps => ({
    env: {},
    cache: fileCredentialCache(mkdtempSync(join(tmpdir(), "rolectl-chain-"))),
    refreshWindowSeconds: 900,
    forceRefresh: false,
    now: () => Date.parse("2029-12-31T23:00:00Z"),
    assumeRole: async (_src, params) => {
      calls.push(params);
      return { credentials: { ...creds, AccessKeyId: `ASIAEXAMPLE${calls.length}`.padEnd(20, "0") } };
    },
    mfa: async () => "123456",
    processCredentials: async () => ({ accessKeyId: "x", secretAccessKey: "y" }),
    ...UNUSED_SOURCES,
    defaultSessionName: () => "rolectl-test-1",
    ...over,
  });

  it("assumes once, then serves from the cache; --refresh assumes again", async () => {
    const calls: AssumeRoleParams[] = [];
    const d = deps(calls);
    expect((await resolveChainCredentials(plan, d)).fromCache).toBe(false);
    expect(calls[0]).toMatchObject({
      serialNumber: "arn:aws:iam::222222222222:mfa/u",
      tokenCode: "123456",
      sessionName: "rolectl-test-1",
    });
    expect((await resolveChainCredentials(plan, d)).fromCache).toBe(true);
    expect((await resolveChainCredentials(plan, { ...d, forceRefresh: true })).credentials.AccessKeyId).toBe(
      "ASIAEXAMPLE200000000",
    );
    expect(calls).toHaveLength(2);
  });

  it("renews an entry inside the refresh window", async () => {
    const calls: AssumeRoleParams[] = [];
    const d = deps(calls, { now: () => Date.parse("2029-12-31T23:50:00Z") }); // 10 min left < 15
    await resolveChainCredentials(plan, d);
    await resolveChainCredentials(plan, d);
    expect(calls).toHaveLength(2);
  });

  describe("hostile: expiry and renewal", () => {
    it("caps an Expiration beyond what was asked for (an endpoint answering 2099) at the duration, from before the call", async () => {
      const calls: AssumeRoleParams[] = [];
      const d = deps(calls, {
        assumeRole: async (_src, params) => {
          calls.push(params);
          return { credentials: { ...creds, Expiration: "2099-01-01T00:00:00Z" } };
        },
      });
      const got = await resolveChainCredentials(plan, d);
      expect(got.credentials.Expiration).toBe(new Date(d.now() + 3600_000).toISOString());
      expect(cachedCredentials(plan, d.cache as never, d.now(), 900)?.credentials.Expiration).toBe(
        got.credentials.Expiration,
      );
    });

    it("an entry claiming more than 12 h (planted, or from before the cap) is never fresh", async () => {
      const d = deps([]);
      const last = plan.steps[0];
      await d.cache?.store(last?.cacheKey as never, {
        version: 1,
        roleArn: "arn:aws:iam::111111111111:role/R",
        sessionName: "",
        createdAt: new Date(d.now()).toISOString(),
        credentials: { ...creds, Expiration: "2099-01-01T00:00:00Z" },
      });
      expect(cachedCredentials(plan, d.cache as never, d.now(), 900)).toBeUndefined();
    });

    it("a failed renewal hands out cached credentials still good for over 10 min, with a warning; never on --refresh", async () => {
      let now = Date.parse("2029-12-31T23:00:00Z");
      const calls: AssumeRoleParams[] = [];
      const warned: number[] = [];
      const d = deps(calls, { now: () => now, onRenewalFailed: (_s, _e, left) => void warned.push(left) });
      await resolveChainCredentials(plan, d); // cached until 2030-01-01T00:00
      const failing = {
        ...d,
        assumeRole: async () => {
          throw new Error("connect ETIMEDOUT");
        },
      };
      now = Date.parse("2029-12-31T23:48:00Z"); // 12 min left: inside the refresh window
      expect((await resolveChainCredentials(plan, failing)).fromCache).toBe(true);
      expect(warned).toEqual([720]);
      await expect(resolveChainCredentials(plan, { ...failing, forceRefresh: true })).rejects.toThrow(
        /ETIMEDOUT/,
      );
      now = Date.parse("2029-12-31T23:52:00Z"); // 8 min left: renewed or nothing
      await expect(resolveChainCredentials(plan, failing)).rejects.toThrow(/ETIMEDOUT/);
    });
  });

  it("without a cache dir assumes every time", async () => {
    const calls: AssumeRoleParams[] = [];
    const { cache: _, ...d } = deps(calls);
    await resolveChainCredentials(plan, d);
    await resolveChainCredentials(plan, d);
    expect(calls).toHaveLength(2);
  });
});

describe("hostile: cache keys", () => {
  const roles = [
    { profile: "a", roleArn: "arn:aws:iam::111111111111:role/A" },
    { profile: "b", roleArn: "arn:aws:iam::222222222222:role/B" },
  ];
  const chain = (secretAccessKey: string) =>
    planChain({ base: { kind: "static", profile: "k", accessKeyId: "AK", secretAccessKey }, roles }, {});

  it("stand for the whole source credentials, by digest, and a chained role's for its parent's whole key", () => {
    const [a, b] = chain("SK").steps;
    expect(a?.cacheKey.material).not.toContain('SK"');
    expect(a?.cacheKey.material).toMatch(/static:AK:[0-9a-f]{64}/);
    expect(b?.cacheKey.material).toContain(
      JSON.stringify(`role:${secretDigest(a?.cacheKey.material ?? "")}`),
    );
    const other = chain("SK2").steps;
    expect(other.map((s) => s.cacheKey.id)).not.toContain(a?.cacheKey.id);
    expect(other.map((s) => s.cacheKey.id)).not.toContain(b?.cacheKey.id);
  });

  it("a credential_process source is never looked up before it has run", async () => {
    const plan = planChain({ base: { kind: "process", profile: "k", command: "creds" }, roles }, {});
    const dir = mkdtempSync(join(tmpdir(), "rolectl-keys-"));
    const cache = fileCredentialCache(dir);
    const calls: string[] = [];
    const deps: ChainDeps = {
      env: {},
      cache,
      refreshWindowSeconds: 900,
      forceRefresh: false,
      now: () => Date.parse("2029-12-31T23:00:00Z"),
      assumeRole: async (src, params) => {
        calls.push(`${src.accessKeyId}>${params.roleArn}`);
        return { credentials: { ...creds, AccessKeyId: `ASIAEXAMPLE${calls.length}`.padEnd(20, "0") } };
      },
      mfa: async () => "123456",
      processCredentials: async () => ({ accessKeyId: `P${calls.length}`, secretAccessKey: "y" }),
      ...UNUSED_SOURCES,
      defaultSessionName: () => "s",
    };
    expect(cachedCredentials(plan, cache, deps.now(), 900)).toBeUndefined();
    await resolveChainCredentials(plan, deps);
    expect(calls).toEqual([
      "P0>arn:aws:iam::111111111111:role/A",
      "ASIAEXAMPLE100000000>arn:aws:iam::222222222222:role/B",
    ]);
    // The process returns other keys now (P2): both roles are assumed again.
    await resolveChainCredentials(plan, deps);
    expect(calls.slice(2)).toEqual([
      "P2>arn:aws:iam::111111111111:role/A",
      "ASIAEXAMPLE300000000>arn:aws:iam::222222222222:role/B",
    ]);
    expect(cachedCredentials(plan, cache, deps.now(), 900)).toBeUndefined();
  });
});

describe("parseProcessCredentials", () => {
  const doc = (extra: Record<string, unknown>) =>
    JSON.stringify({ Version: 1, AccessKeyId: "AKIA", SecretAccessKey: "s", ...extra });

  it("takes an ISO 8601 Expiration, or none", () => {
    expect(parseProcessCredentials(doc({ Expiration: "2099-01-01T00:00:00Z" }), "p").accessKeyId).toBe(
      "AKIA",
    );
    expect(
      parseProcessCredentials(doc({ Expiration: "2099-01-01T00:00:00.000+02:00" }), "p").accessKeyId,
    ).toBe("AKIA");
    expect(parseProcessCredentials(doc({}), "p").accessKeyId).toBe("AKIA");
  });

  it.each([["soon"], [4102444800], [true]])("refuses Expiration %j (botocore does too)", (value) => {
    expect(() => parseProcessCredentials(doc({ Expiration: value }), "p")).toThrow(/not an ISO 8601 time/);
  });
});
