import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import {
  appendFileSync,
  chmodSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { parseIni } from "../../src/config/ini.js";
import { createTrustingRole, credentialsSection, keysFor } from "../support/accounts.js";
import { BIN } from "../support/cli.js";
import { useE2eEnv } from "../support/env.js";
import { writeReportSection } from "../support/report.js";

// The reliability and security suite (npm run test:reliability). Each area adds a summary line;
// afterAll prints them and keeps them in bench/RELIABILITY.md.

const env = useE2eEnv();
const summary: string[] = [];
const BIZ = "111111111111";
const DEV = "222222222222";
const ROLE_ARN = `arn:aws:iam::${BIZ}:role/BizCorpRole`;
const MFA_SERIAL = `arn:aws:iam::${DEV}:mfa/devcorpuser`;
const PROFILE = `[profile bizcorprole]\nrole_arn = ${ROLE_ARN}\nsource_profile = devcorpuser\nexternal_id = Ext-1234567890\nregion = us-east-1\n`;
const MFA_PROFILE = `${PROFILE}mfa_serial = ${MFA_SERIAL}\n`;

beforeEach(async () => {
  const dev = await keysFor(env.moto.url, DEV);
  const biz = await keysFor(env.moto.url, BIZ);
  await createTrustingRole(env.moto.url, biz, {
    name: "BizCorpRole",
    trustedAccount: DEV,
    externalId: "Ext-1234567890",
  });
  env.sandbox.writeConfig(PROFILE);
  env.sandbox.writeCredentials(
    `${credentialsSection("devcorpuser", dev)}\n${credentialsSection("bizadmin", biz)}`,
  );
  env.proxy.reset();
});

afterAll(() => {
  writeReportSection(
    "general",
    `## Concurrency, crash safety, faults, bad input, secrets (${new Date().toISOString().slice(0, 10)})\n\n${summary.map((s) => `- ${s}`).join("\n")}`,
  );
  process.stdout.write(`\n${summary.join("\n")}\n`);
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function killAfter(args: string[], extraEnv: Record<string, string>, delayMs: number): Promise<void> {
  return new Promise((resolve) => {
    const child: ChildProcess = spawn(process.execPath, [BIN, ...args], {
      env: { ...env.sandbox.env, ...extraEnv },
      stdio: "ignore",
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), delayMs);
    child.on("exit", () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

describe("concurrency", () => {
  it("50 parallel credential-process on a cold cache: 1 AssumeRole, 1 MFA code, 50 identical answers", async () => {
    const counter = join(env.sandbox.dir, "mfa-runs");
    const script = join(env.sandbox.dir, "mfa.sh");
    writeFileSync(script, `#!/bin/sh\necho run >> "${counter}"\necho 123456\n`);
    chmodSync(script, 0o755);
    env.sandbox.writeConfig(`${MFA_PROFILE}mfa_process = ${script}\n`);
    env.proxy.strict = true;
    const results = await Promise.all(
      Array.from({ length: 50 }, () =>
        env.sandbox.run(["credential-process", "--profile", "bizcorprole"], { timeoutMs: 120_000 }),
      ),
    );
    const ok = results.filter((r) => r.code === 0);
    const distinct = new Set(ok.map((r) => r.stdout));
    const mfaRuns = readFileSync(counter, "utf8").trim().split("\n").length;
    const assumes = env.proxy.callsOf("AssumeRole").length;
    summary.push(
      `concurrency: ${ok.length}/50 credential-process succeeded with ${distinct.size} distinct answer, ${assumes} AssumeRole, ${mfaRuns} MFA code request`,
    );
    expect(ok).toHaveLength(50);
    expect(distinct.size).toBe(1);
    expect(assumes).toBe(1);
    expect(mfaRuns).toBe(1);
    expect(JSON.parse([...distinct][0] as string).Version).toBe(1);
  });

  it("20 parallel write-profile of different profiles: all present, the file parses, no lost update", async () => {
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        env.sandbox.run([
          "cross-account",
          "write-profile",
          "--local-profile",
          `p${i}`,
          "--role-arn",
          `arn:aws:iam::${BIZ}:role/R${i}`,
          "--source-profile",
          "devcorpuser",
        ]),
      ),
    );
    const text = readFileSync(env.sandbox.configPath, "utf8");
    const sections = parseIni(text, env.sandbox.configPath).sections.map((s) => s.name);
    const present = Array.from({ length: 20 }, (_, i) => sections.includes(`profile p${i}`)).filter(
      Boolean,
    ).length;
    summary.push(
      `concurrency: ${present}/20 profiles present after 20 parallel config edits; the file parses; [profile bizcorprole] kept: ${text.startsWith(PROFILE)}`,
    );
    expect(results.map((r) => r.code)).toEqual(Array(20).fill(0));
    expect(present).toBe(20);
    expect(text.startsWith(PROFILE)).toBe(true);
  });
});

describe("crash safety", () => {
  it("SIGKILL at random points of cache writes and config edits never leaves a partial file", async () => {
    const rounds = 20;
    let partialCache = 0;
    let partialConfig = 0;
    let recovered = 0;
    // Cache writes: each run refreshes the entry (AssumeRole, then temp file + rename).
    await env.sandbox.run(["credential-process", "--profile", "bizcorprole"]);
    for (let i = 0; i < rounds; i++) {
      await killAfter(
        ["assume", "--profile", "bizcorprole", "--refresh", "--json"],
        {},
        60 + Math.floor(Math.random() * 400),
      );
      for (const f of readdirSync(env.sandbox.cacheDir).filter((n) => /^[0-9a-f]{40}\.json$/.test(n))) {
        try {
          const e = JSON.parse(readFileSync(join(env.sandbox.cacheDir, f), "utf8"));
          if (e.version !== 1 || !e.credentials?.SessionToken) partialCache++;
        } catch {
          partialCache++;
        }
      }
    }
    const next = await env.sandbox.run(["credential-process", "--profile", "bizcorprole"], {
      timeoutMs: 30_000,
    });
    if (next.code === 0) recovered++;

    // Config edits: each run adds one profile; the file must be the old or the new version.
    for (let i = 0; i < rounds; i++) {
      const before = readFileSync(env.sandbox.configPath, "utf8");
      await killAfter(
        [
          "cross-account",
          "write-profile",
          "--local-profile",
          `crash${i}`,
          "--role-arn",
          ROLE_ARN,
          "--source-profile",
          "devcorpuser",
        ],
        {},
        40 + Math.floor(Math.random() * 300),
      );
      const after = readFileSync(env.sandbox.configPath, "utf8");
      const isNew =
        after.startsWith(before.trimEnd()) &&
        after.includes(`[profile crash${i}]\nrole_arn = ${ROLE_ARN}\nsource_profile = devcorpuser\n`);
      if (after !== before && !isNew) partialConfig++;
      try {
        parseIni(after, "config");
      } catch {
        partialConfig++;
      }
      const retry = await env.sandbox.run(
        [
          "cross-account",
          "write-profile",
          "--local-profile",
          `crash${i}`,
          "--role-arn",
          ROLE_ARN,
          "--source-profile",
          "devcorpuser",
        ],
        { timeoutMs: 30_000 },
      );
      if (retry.code === 0) recovered++;
    }
    summary.push(
      `crash safety: ${rounds} SIGKILLs during cache refreshes and ${rounds} during config edits: ${partialCache} partial cache files, ${partialConfig} partial config files; the next run recovered ${recovered}/${rounds + 1}`,
    );
    expect(partialCache).toBe(0);
    expect(partialConfig).toBe(0);
    expect(recovered).toBe(rounds + 1);
  });
});

describe("faults", () => {
  const timed = async (args: string[], extraEnv: Record<string, string> = {}) => {
    const started = Date.now();
    const r = await env.sandbox.run(args, { env: extraEnv, timeoutMs: 60_000 });
    return { ...r, seconds: (Date.now() - started) / 1000 };
  };

  it.each([
    ["throttling storm", { kind: "throttle" } as const, 1, 20],
    ["500s", { kind: "error500" } as const, 1, 20],
    ["connection reset", { kind: "reset" } as const, 1, 20],
    ["ExpiredToken", { kind: "expiredToken" } as const, 4, 10],
  ])("%s: bounded retries, a clear error and exit code", async (name, fault, code, boundSeconds) => {
    env.proxy.inject("GetCallerIdentity", fault);
    const r = await timed(["whoami", "--profile", "devcorpuser"]);
    const attempts = env.proxy.callsOf("GetCallerIdentity").length;
    summary.push(
      `faults: ${name} -> exit ${r.code} after ${attempts} attempt(s) in ${r.seconds.toFixed(1)} s: ${r.stderr.split("\n")[0]}`,
    );
    expect(r.code).toBe(code);
    expect(r.seconds).toBeLessThan(boundSeconds);
    expect(r.stderr).toMatch(/^error: /);
  });

  it("5 s latency: waits it out once and succeeds", async () => {
    env.proxy.inject("GetCallerIdentity", { kind: "delay", ms: 5000 }, 1);
    const r = await timed(["whoami", "--profile", "devcorpuser"]);
    summary.push(`faults: 5 s latency -> exit ${r.code} in ${r.seconds.toFixed(1)} s`);
    expect(r.code).toBe(0);
    expect(r.seconds).toBeLessThan(15);
  });

  it("AccessDenied then allow (IAM eventual consistency): --verify rides it out", async () => {
    env.proxy.inject("AssumeRole", { kind: "accessDenied" }, 3);
    const r = await timed([
      "role",
      "create",
      "Fresh",
      "--profile",
      "bizadmin",
      "--trust-account",
      BIZ,
      "--verify",
      "--json",
    ]);
    summary.push(
      `faults: AccessDenied x3 then allow -> exit ${r.code} in ${r.seconds.toFixed(1)} s (${JSON.parse(r.stdout || "{}").verified?.reason ?? r.stderr.trim()})`,
    );
    expect(r.code).toBe(0);
  });
});

describe("bad input", () => {
  const big = "x".repeat(10_000);
  const file = (name: string, text: string) => {
    const p = join(env.sandbox.dir, name);
    writeFileSync(p, text);
    return p;
  };
  const fifo = (name: string) => {
    const p = join(env.sandbox.dir, name);
    if (!existsSync(p)) execFileSync("mkfifo", [p]);
    return p;
  };
  const statement = (s: Record<string, unknown>) =>
    JSON.stringify({
      Version: "2012-10-17",
      Statement: [{ Effect: "Allow", Action: "sts:AssumeRole", ...s }],
    });
  const trust =
    (name: string, s: Record<string, unknown>, ...extra: string[]) =>
    () => [...["role", "create", "r", "--trust-policy", file(name, statement(s)), ...extra]];
  const inlineDoc = (actions: number) =>
    JSON.stringify({
      Version: "2012-10-17",
      Statement: [
        {
          Effect: "Allow",
          Action: Array.from({ length: actions }, (_, i) => `s3:Action${i}`),
          Resource: "*",
        },
      ],
    });
  const LAMBDA = ["role", "create", "r", "--service", "lambda"];
  const GITHUB = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com";
  const GRANT = ["cross-account", "grant-user", "--role-arn", ROLE_ARN, "--user", "u", "--mfa"];
  // The fourth field marks a row refused only after reads (e.g. GetPolicy): it may read, never write.
  type Case = [string, string[] | (() => string[]), string?, "reads"?];
  const cases: Case[] = [
    ["ARN without account", ["assume", "--role-arn", "arn:aws:iam:::role/x"]],
    ["ARN of a user", ["assume", "--role-arn", "arn:aws:iam::123456789012:user/x"]],
    ["ARN of another service", ["assume", "--role-arn", "arn:aws:s3:::bucket"]],
    ["ARN, 10 KB", ["assume", "--role-arn", `arn:aws:iam::123456789012:role/${big}`]],
    ["ARN, wrong partition", ["assume", "--role-arn", "arn:aws-moon:iam::123456789012:role/x"]],
    ["account id, 11 digits", ["role", "create", "r", "--trust-account", "12345678901"]],
    ["account id, letters", ["role", "create", "r", "--trust-account", "12345678901a"]],
    ["account id, 10 KB", ["role", "create", "r", "--trust-account", big]],
    ["role name with spaces", ["role", "create", "my role", "--service", "lambda"]],
    ["role name in unicode", ["role", "create", "rôle", "--service", "lambda"]],
    ["role name, emoji", ["role", "create", "🙂", "--service", "lambda"]],
    ["role name, 10 KB", ["role", "create", big, "--service", "lambda"]],
    ["role name with a slash", ["amplify-service-role", "--role-name", "a/b"]],
    [
      "external id with quotes",
      ["role", "create", "r", "--trust-account", "123456789012", "--external-id", '"; rm -rf /'],
    ],
    ["external id, 1 char", ["role", "create", "r", "--trust-account", "123456789012", "--external-id", "x"]],
    [
      "external id, 10 KB",
      ["assume", "--role-arn", "arn:aws:iam::123456789012:role/x", "--external-id", big],
    ],
    [
      "session name with spaces",
      ["assume", "--role-arn", "arn:aws:iam::123456789012:role/x", "--session-name", "a b"],
    ],
    [
      "MFA serial, garbage",
      ["assume", "--role-arn", "arn:aws:iam::123456789012:role/x", "--mfa-serial", "arn:aws:iam::1:mfa/x"],
    ],
    ["MFA code, 5 digits", ["assume", "--profile", "bizcorprole", "--mfa-code", "12345"]],
    ["MFA code, letters", ["assume", "--profile", "bizcorprole", "--mfa-code", "abcdef"]],
    ["duration too short", ["assume", "--profile", "bizcorprole", "--duration", "899"]],
    ["duration, negative", ["assume", "--profile", "bizcorprole", "--duration", "-5"]],
    ["duration, 10 KB", ["assume", "--profile", "bizcorprole", "--duration", big]],
    ["format unknown", ["assume", "--profile", "bizcorprole", "--format", "yaml"]],
    [
      "max session duration, too long",
      ["role", "create", "r", "--service", "lambda", "--max-session-duration", "43201"],
    ],
    ["path without slashes", ["role", "create", "r", "--service", "lambda", "--path", "team"]],
    ["tag without value", ["role", "create", "r", "--service", "lambda", "--tag", "team"]],
    ["tag with aws: prefix", ["role", "create", "r", "--service", "lambda", "--tag", "aws:x=1"]],
    [
      "policy ARN, bare name",
      ["role", "create", "r", "--service", "lambda", "--managed-policy", "AdministratorAccess"],
    ],
    ["policy file, not JSON", () => ["role", "create", "r", "--trust-policy", file("nj.json", "{ nope")]],
    ["policy file, a JSON array", () => ["role", "create", "r", "--trust-policy", file("arr.json", "[]")]],
    [
      "policy file, no Effect",
      () => ["role", "create", "r", "--trust-policy", file("ne.json", '{"Statement":[{"Action":"*"}]}')],
    ],
    [
      "policy file, over the limit",
      () => [
        "role",
        "create",
        "r",
        "--trust-policy",
        file(
          "big.json",
          JSON.stringify({
            Statement: [{ Effect: "Allow", Action: Array.from({ length: 500 }, (_, i) => `s3:Action${i}`) }],
          }),
        ),
      ],
    ],
    [
      "policy file, 2 MB",
      () => ["role", "create", "r", "--trust-policy", file("huge.json", `{"a":"${"x".repeat(2_000_000)}"}`)],
    ],
    ["service principal, URL", ["slr", "create", "--service", "https://connect.amazonaws.com"]],
    [
      "SLR description, 1001 chars",
      ["slr", "create", "--service", "connect", "--description", "d".repeat(1001)],
    ],
    ["Amplify app id, uppercase", ["amplify-service-role", "--app-id", "D123"]],
    ["category unknown", ["policy", "amplify-cli", "--without", "everything"]],
    [
      "MFA codes, three",
      [
        "cross-account",
        "grant-user",
        "--role-arn",
        ROLE_ARN,
        "--user",
        "u",
        "--mfa-codes",
        "111111,222222,333333",
      ],
    ],
    ["endpoint URL, not http", ["whoami", "--endpoint-url", "file:///etc/passwd"]],
    ["unknown profile", ["whoami", "--profile", "ghost"], "config"],
    [
      "config: broken section header",
      ["whoami", "--profile", "bizcorprole"],
      "[profile broken\nregion = x\n",
    ],
    ["config: duplicate keys", ["whoami"], "[default]\nregion = a\nregion = b\n"],
    ["config: duplicate sections", ["whoami"], "[default]\n[default]\n"],
    ["config: key before any section", ["whoami"], "region = x\n"],
    ["config: CRLF and BOM, then garbage", ["whoami"], "\uFEFF[default]\r\nregion = x\r\ngarbage line\r\n"],
    [
      "config: a profile cycle",
      ["assume", "--profile", "a"],
      "[profile a]\nrole_arn = arn:aws:iam::1:role/A\nsource_profile = b\n[profile b]\nrole_arn = arn:aws:iam::1:role/B\nsource_profile = a\n",
    ],
    [
      "config: role_arn not an ARN",
      ["assume", "--profile", "a"],
      "[profile a]\nrole_arn = admin\nsource_profile = devcorpuser\n",
    ],
    // Issue 13: provisioning inputs.
    ["verify timeout, letters", [...LAMBDA, "--verify-timeout", "abc"]],
    ["verify timeout, 0", [...LAMBDA, "--verify-timeout", "0"]],
    ["trust file, statement without Principal", trust("t-np.json", {})],
    [
      "trust file, Action 42",
      trust("t-a42.json", { Action: 42, Principal: { Service: "ec2.amazonaws.com" } }),
    ],
    [
      "trust file, s3:GetObject",
      trust("t-s3.json", { Action: "s3:GetObject", Principal: { Service: "ec2.amazonaws.com" } }),
    ],
    [
      "trust file, a Resource",
      trust("t-res.json", { Principal: { Service: "ec2.amazonaws.com" }, Resource: "*" }),
    ],
    ["trust file, AWS not-an-arn", trust("t-nan.json", { Principal: { AWS: "not-an-arn" } })],
    ["trust file, AWS ARN with *", trust("t-star-arn.json", { Principal: { AWS: "arn:aws:iam::*:root" } })],
    ['trust file, Principal "*"', trust("t-star.json", { Principal: "*" })],
    ['trust file, AWS "*"', trust("t-aws-star.json", { Principal: { AWS: "*" } })],
    [
      'trust file, "*" with --allow-any-principal but no Condition',
      trust("t-star-nc.json", { Principal: { AWS: "*" } }, "--allow-any-principal"),
    ],
    ["trust file, Service not a service", trust("t-svc.json", { Principal: { Service: "ec2" } })],
    [
      "trust file, Federated unknown host",
      trust("t-fed.json", { Principal: { Federated: "evil.example.com" } }),
    ],
    ["trust file, NotPrincipal in an Allow", trust("t-notp.json", { NotPrincipal: { AWS: "123456789012" } })],
    ["--allow-any-principal without --trust-policy", [...LAMBDA, "--allow-any-principal"]],
    [
      "policy file, duplicate Effect (Deny then Allow)",
      () => [
        ...LAMBDA,
        "--inline-policy",
        `p=${file("dup.json", '{"Statement":[{"Effect":"Deny","Effect":"Allow","Action":"s3:*","Resource":"*"}]}')}`,
      ],
    ],
    [
      "trust file, duplicate Service key",
      () => [
        ...["role", "create", "r", "--trust-policy"],
        file(
          "dup-trust.json",
          '{"Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com","Service":"x.amazonaws.com"},"Action":"sts:AssumeRole"}]}',
        ),
      ],
    ],
    [
      "policy file, 300,000 nested arrays",
      () => [
        ...["role", "create", "r", "--trust-policy"],
        file(
          "deep.json",
          `{"Statement":[{"Effect":"Allow","Action":"*","x":${"[".repeat(300_000)}${"]".repeat(300_000)}}]}`,
        ),
      ],
    ],
    ["trust file, a FIFO", () => ["role", "create", "r", "--trust-policy", fifo("trust.fifo")]],
    ["inline policy file, a FIFO", () => [...LAMBDA, "--inline-policy", `p=${fifo("inline.fifo")}`]],
    ["policy file, /dev/zero", ["role", "create", "r", "--trust-policy", "/dev/zero"]],
    ["policy file, a directory", () => [...LAMBDA, "--inline-policy", `p=${env.sandbox.dir}`]],
    [
      "inline policies, over 10,240 together",
      () => [
        ...LAMBDA,
        ...["--inline-policy", `a=${file("in-a.json", inlineDoc(400))}`],
        ...["--inline-policy", `b=${file("in-b.json", inlineDoc(400))}`],
      ],
    ],
    [
      "inline policies, a name twice",
      () => [
        ...LAMBDA,
        ...[`p=${file("in-1.json", inlineDoc(1))}`, `p=${file("in-1.json", inlineDoc(1))}`].flatMap((v) => [
          "--inline-policy",
          v,
        ]),
      ],
    ],
    [
      "inline policies, names differing in case",
      () => [
        ...LAMBDA,
        ...[`Read=${file("in-2.json", inlineDoc(1))}`, `read=${file("in-2.json", inlineDoc(1))}`].flatMap(
          (v) => ["--inline-policy", v],
        ),
      ],
    ],
    [
      "web identity, --subject '*'",
      ["role", "create", "r", "--web-identity", GITHUB, "--audience", "a", "--subject", "*"],
    ],
    [
      "web identity, --subject 'repo:*'",
      ["role", "create", "r", "--web-identity", GITHUB, "--audience", "a", "--subject", "repo:*"],
    ],
    ["tags, 51", [...LAMBDA, ...Array.from({ length: 51 }, (_, i) => ["--tag", `k${i}=v`]).flat()]],
    ["tags, a key twice", [...LAMBDA, "--tag", "team=a", "--tag", "team=b"]],
    ["tags, keys differing in case", [...LAMBDA, "--tag", "Team=a", "--tag", "team=b"]],
    [
      "managed policies, 11",
      [
        ...LAMBDA,
        ...Array.from({ length: 11 }, (_, i) => [
          "--managed-policy",
          `arn:aws:iam::${BIZ}:policy/p${i}`,
        ]).flat(),
      ],
    ],
    [
      "MFA seed file in a missing directory",
      () => [...GRANT, "--mfa-seed-out", join(env.sandbox.dir, "nope", "seed")],
    ],
    ["MFA seed file that is a directory", () => [...GRANT, "--mfa-seed-out", env.sandbox.dir]],
    [
      "permissions boundary that does not exist",
      [
        ...LAMBDA,
        "--profile",
        "bizadmin",
        "--permissions-boundary",
        `arn:aws:iam::${BIZ}:policy/NoSuchBoundary`,
      ],
      undefined,
      "reads",
    ],
  ];

  it(`${cases.length} hostile or malformed values: each refused with exit 2/3 and a message, nothing written`, async () => {
    const hash = (p: string) =>
      existsSync(p) ? createHash("sha256").update(readFileSync(p)).digest("hex") : "absent";
    let refused = 0;
    const failures: string[] = [];
    for (const [label, argsOrFn, config, reads] of cases) {
      env.sandbox.writeConfig(config && config !== "config" ? config : PROFILE);
      const before = [hash(env.sandbox.configPath), hash(env.sandbox.credentialsPath)];
      env.proxy.reset();
      const args = typeof argsOrFn === "function" ? argsOrFn() : argsOrFn;
      const r = await env.sandbox.run(args, { env: { CI: "true" }, timeoutMs: 15_000 });
      const after = [hash(env.sandbox.configPath), hash(env.sandbox.credentialsPath)];
      const good =
        (r.code === 2 || r.code === 3) &&
        /^error: .+/m.test(r.stderr) &&
        (reads ? env.proxy.writeCalls() : env.proxy.calls).length === 0 &&
        before.join() === after.join() &&
        r.stderr.length < 2000;
      if (good) refused++;
      else failures.push(`${label}: exit ${r.code}, ${r.stderr.slice(0, 200)}`);
    }
    summary.push(
      `bad input: ${refused}/${cases.length} hostile or malformed values refused with exit 2/3 and a message; 0 AWS calls (0 writes for the ${cases.filter((c) => c[3]).length} refused after reads), config and credentials files unchanged`,
    );
    expect(failures).toEqual([]);
    expect(cases.length).toBeGreaterThanOrEqual(75);
  });
});

describe("secrets", () => {
  it("no secret reaches stderr (even with --debug) or a file that is not 0600", async () => {
    const mfaCode = "864209";
    const seedFile = join(env.sandbox.dir, "mfa-seed.txt");
    const stderrs: string[] = [];
    const run = async (args: string[], extraEnv: Record<string, string> = {}) => {
      const r = await env.sandbox.run([...args, "--debug"], { env: extraEnv });
      stderrs.push(r.stderr);
      return r;
    };
    env.sandbox.writeConfig(MFA_PROFILE);
    const assumed = JSON.parse(
      (await run(["assume", "--profile", "bizcorprole", "--json", "--mfa-code", mfaCode])).stdout,
    );
    await run(["assume", "--profile", "bizcorprole"]);
    await run(["credential-process", "--profile", "bizcorprole"]);
    await run(["exec", "--profile", "bizcorprole", "--", "true"]);
    await run(["cache", "list"]);
    await run(["whoami", "--profile", "bizadmin"]);
    await run([
      "role",
      "create",
      "SecretsRole",
      "--profile",
      "bizadmin",
      "--trust-account",
      DEV,
      "--external-id",
      "Ext-42",
    ]);
    const setup = await run([
      "cross-account",
      "setup",
      "--no-input",
      "--trusting-profile",
      "bizadmin",
      "--trusted-profile",
      "devcorpuser",
      "--role-name",
      "SecretRole2",
      "--require-mfa",
      "--amplify-cli-policy",
      "--user",
      "seconduser",
      "--create-access-key",
      "--mfa",
      "--mfa-seed-out",
      seedFile,
      "--local-profile",
      "second",
      "--no-verify",
    ]);
    expect(setup.code).toBe(0);
    // IAM Identity Center and web identity: tokens, refresh tokens, client secrets (issue 17).
    const sso = env.proxy.sso;
    sso.autoApprove = true;
    sso.addAccount(DEV, "Dev Corp", ["Developer"]);
    appendFileSync(
      env.sandbox.configPath,
      `\n[sso-session corp]\nsso_start_url = ${sso.startUrl}\nsso_region = ${sso.region}\n\n[profile dev-sso]\nsso_session = corp\nsso_account_id = ${DEV}\nsso_role_name = Developer\n`,
    );
    expect((await run(["sso", "login", "--sso-session", "corp", "--no-browser"])).code).toBe(0);
    expect((await run(["credential-process", "--profile", "dev-sso"])).code).toBe(0);
    expect((await run(["sso", "populate", "--sso-session", "corp"])).code).toBe(0);
    const ssoToken = JSON.parse(
      readFileSync(
        join(
          env.sandbox.home,
          ".aws",
          "sso",
          "cache",
          `${createHash("sha1").update("corp").digest("hex")}.json`,
        ),
        "utf8",
      ),
    ) as Record<string, string>;
    const gha = await run(
      ["exec", "--github-actions", "--role-arn", `arn:aws:iam::${BIZ}:role/Deploy`, "--", "true"],
      {
        ACTIONS_ID_TOKEN_REQUEST_URL: env.proxy.github.url,
        ACTIONS_ID_TOKEN_REQUEST_TOKEN: env.proxy.github.requestToken,
      },
    );
    expect(gha.code).toBe(0);
    const seed = readFileSync(seedFile, "utf8").trim();
    const userSecret =
      /\[seconduser\]\naws_access_key_id = \S+\naws_secret_access_key = (\S+)/.exec(
        readFileSync(env.sandbox.credentialsPath, "utf8"),
      )?.[1] ?? "";
    const secrets = {
      "session token": assumed.SessionToken,
      "secret key": assumed.SecretAccessKey,
      "MFA seed": seed,
      "MFA code": mfaCode,
      "new user's secret key": userSecret,
      "SSO access token": ssoToken.accessToken,
      "SSO refresh token": ssoToken.refreshToken,
      "SSO client secret": ssoToken.clientSecret,
      "GitHub request token": env.proxy.github.requestToken,
      "GitHub OIDC token": env.proxy.github.issuedTokens()[0]?.jwt,
    };
    expect(Object.values(secrets).every((s) => typeof s === "string" && s.length >= 6)).toBe(true);

    const leaks: string[] = [];
    for (const [name, value] of Object.entries(secrets)) {
      if (stderrs.some((e) => e.includes(value))) leaks.push(`${name} on stderr`);
    }
    const files: string[] = [];
    const walk = (dir: string) => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        const p = join(dir, entry.name);
        if (entry.isDirectory()) walk(p);
        else if (entry.isFile()) files.push(p);
      }
    };
    walk(env.sandbox.dir);
    for (const f of files) {
      if ((statSync(f).mode & 0o077) === 0) continue; // 0600: allowed to hold secrets
      const text = readFileSync(f, "utf8");
      for (const [name, value] of Object.entries(secrets))
        if (text.includes(value)) leaks.push(`${name} in ${f}`);
    }
    const cacheFiles = readdirSync(env.sandbox.cacheDir).filter((f) => f.endsWith(".json"));
    const modesOk =
      (statSync(env.sandbox.cacheDir).mode & 0o777) === 0o700 &&
      cacheFiles.every((f) => (statSync(join(env.sandbox.cacheDir, f)).mode & 0o777) === 0o600) &&
      (statSync(env.sandbox.credentialsPath).mode & 0o777) === 0o600 &&
      (statSync(seedFile).mode & 0o777) === 0o600;

    // A symlink planted where a cache entry goes is never followed.
    const planted = join(env.sandbox.dir, "planted.json");
    const forged = JSON.stringify({
      version: 1,
      roleArn: ROLE_ARN,
      sessionName: "",
      createdAt: "x",
      credentials: {
        AccessKeyId: "ASIAFORGED",
        SecretAccessKey: "forged",
        SessionToken: "forged",
        Expiration: "2099-01-01T00:00:00Z",
      },
    });
    writeFileSync(planted, forged);
    const entry = cacheFiles.find((f) => /^[0-9a-f]{40}\.json$/.test(f) && !f.startsWith("totp")) as string;
    const entryPath = join(env.sandbox.cacheDir, entry);
    const { rmSync } = await import("node:fs");
    rmSync(entryPath);
    symlinkSync(planted, entryPath);
    const afterPlant = await env.sandbox.run([
      "credential-process",
      "--profile",
      "bizcorprole",
      "--mfa-code",
      "975310",
    ]);
    const symlinkRefused =
      afterPlant.code === 0 &&
      !afterPlant.stdout.includes("ASIAFORGED") &&
      readFileSync(planted, "utf8") === forged;

    // A cache directory owned by someone else is refused (needs root to set up).
    let foreignRefused: boolean | undefined;
    if (process.getuid?.() === 0) {
      const foreign = join(env.sandbox.dir, "foreign-cache");
      mkdirSync(foreign, { mode: 0o700 });
      spawn("chown", ["4242", foreign]);
      await sleep(200);
      const r = await env.sandbox.run(["assume", "--profile", "bizcorprole", "--mfa-code", "135791"], {
        env: { ROLECTL_CACHE_DIR: foreign },
      });
      foreignRefused = r.code === 3 && r.stderr.includes("belongs to another user");
    }
    summary.push(
      `secrets: ${leaks.length} leaks of ${Object.keys(secrets).length} secrets across ${stderrs.length} --debug stderr streams and ${files.length} files; modes ${modesOk ? "ok (cache dir 0700, cache/credentials/seed files 0600)" : "WRONG"}; planted symlink ${symlinkRefused ? "not followed" : "FOLLOWED"}; foreign cache dir ${foreignRefused === undefined ? "not tested (not root)" : foreignRefused ? "refused" : "ACCEPTED"}`,
    );
    expect(leaks).toEqual([]);
    expect(modesOk).toBe(true);
    expect(symlinkRefused).toBe(true);
    if (foreignRefused !== undefined) expect(foreignRefused).toBe(true);
  });
});
