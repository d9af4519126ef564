import { execFileSync } from "node:child_process";
import {
  chmodSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { dirname, join } from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { writeCacheEntry } from "../../src/cache/store.js";
import { createTrustingRole, credentialsSection, keysFor } from "../support/accounts.js";
import { useE2eEnv } from "../support/env.js";

// Hostile values (issue 13): nothing a user passes, or a file or the environment holds, can add
// lines to the AWS files or code to the shell output. Each case is refused with exit 2, before
// any AWS call, and leaves the files as they were.

const env = useE2eEnv();
const BIZ = "111111111111";
const DEV = "222222222222";
const ROLE = `arn:aws:iam::${BIZ}:role/RoleA`;
const WRITE_PROFILE = ["cross-account", "write-profile", "--role-arn", ROLE, "--source-profile", "dev"];
const INJECTED = 'us-east-1\nmfa_process = sh -c "id > /tmp/pwned; echo 123456"';

beforeEach(async () => {
  const devKeys = await keysFor(env.moto.url, DEV);
  await createTrustingRole(env.moto.url, await keysFor(env.moto.url, BIZ), {
    name: "RoleA",
    trustedAccount: DEV,
  });
  env.sandbox.writeConfig(`[profile target]\nrole_arn = ${ROLE}\nsource_profile = dev\n`);
  env.sandbox.writeCredentials(credentialsSection("dev", devKeys));
  env.proxy.reset();
});

const files = () => [
  readFileSync(env.sandbox.configPath, "utf8"),
  readFileSync(env.sandbox.credentialsPath, "utf8"),
];

describe("INI injection through values the editor writes", () => {
  it.each([
    ["a region with a line break", ["--region", INJECTED], {}],
    ["a role session name with a line break", ["--role-session-name", "a\nmfa_process = x"], {}],
    [
      "a secret key with a section in it",
      ["--access-key-id", "AKIAIOSFODNN7EXAMPLE"],
      { ROLECTL_SECRET_ACCESS_KEY: "x\n[target]\nregion = y" },
    ],
  ])("%s is refused (exit 2) and both files are unchanged", async (_label, extra, extraEnv) => {
    const before = files();
    const r = await env.sandbox.run([...WRITE_PROFILE, "--local-profile", "p", "--force", ...extra], {
      env: extraEnv,
    });
    expect(r.code, r.stderr).toBe(2);
    expect(files()).toEqual(before);
    // Quoted values are escaped (\n shown as two characters), never a line of their own.
    expect(r.stderr).not.toMatch(/^(mfa_process|\[target\])/m);
    expect(env.proxy.calls).toEqual([]);
  });

  it("--install-credential-process with a region that is not a region writes nothing", async () => {
    const before = files();
    const r = await env.sandbox.run([
      "assume",
      "--profile",
      "target",
      "--install-credential-process",
      "ci",
      "--region",
      INJECTED,
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("Invalid region");
    expect(files()).toEqual(before);
  });
});

describe("credential_process is an argument list, not a shell line", () => {
  it("runs as botocore runs it: quotes group words, $(…) and ; are plain characters, nothing is expanded", async () => {
    const dir = join(env.sandbox.dir, "with space");
    mkdirSync(dir, { recursive: true });
    const args = join(env.sandbox.dir, "args");
    const pwned = join(env.sandbox.dir, "pwned");
    const script = join(dir, "creds.sh");
    const keys = await keysFor(env.moto.url, DEV);
    const doc = JSON.stringify({
      Version: 1,
      AccessKeyId: keys.accessKeyId,
      SecretAccessKey: keys.secretAccessKey,
    });
    writeFileSync(script, `#!/bin/sh\nprintf '%s|' "$@" > "${args}"\necho '${doc}'\n`);
    chmodSync(script, 0o755);
    env.sandbox.writeConfig(
      `[profile target]\nrole_arn = ${ROLE}\nsource_profile = proc\n` +
        `[profile proc]\ncredential_process = "${script}" $(touch ${pwned}) a;b "x \\"y\\""\n`,
    );
    env.sandbox.writeCredentials("");
    const r = await env.sandbox.run(["credential-process", "--profile", "target"]);
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(args, "utf8")).toBe(`$(touch|${pwned})|a;b|x "y"|`);
    expect(existsSync(pwned)).toBe(false);
  });

  it("a command that cannot be run is a configuration error (exit 3) naming the profile, not a bug", async () => {
    env.sandbox.writeConfig(
      `[profile target]\nrole_arn = ${ROLE}\nsource_profile = proc\n[profile proc]\ncredential_process = /nonexistent/creds --x\n`,
    );
    const r = await env.sandbox.run(["credential-process", "--profile", "target"]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/^error: credential_process of profile proc failed: .*ENOENT/m);
    expect(r.stderr).not.toMatch(/bug/i);
    env.sandbox.writeConfig(
      `[profile target]\nrole_arn = ${ROLE}\nsource_profile = proc\n[profile proc]\ncredential_process = "unclosed\n`,
    );
    const unclosed = await env.sandbox.run(["credential-process", "--profile", "target"]);
    expect(unclosed.code).toBe(3);
    expect(unclosed.stderr).toContain('credential_process of profile proc has an unclosed " quote.');
  });
});

describe("cached role credentials belong to the source credentials they were made from", () => {
  const assumeCalls = () => env.proxy.callsOf("AssumeRole").length;
  const run = (extraEnv: Record<string, string> = {}) =>
    env.sandbox.run(["credential-process", "--profile", "target"], { env: extraEnv });

  it("a source profile whose secret is replaced gets new role credentials, not the cached ones (fast path too)", async () => {
    const keys = await keysFor(env.moto.url, DEV);
    for (let i = 0; i < 2; i++) expect((await run()).code).toBe(0); // the second is the fast path's hit
    expect(assumeCalls()).toBe(1);
    env.sandbox.writeCredentials(credentialsSection("dev", { ...keys, secretAccessKey: "not-the-secret" }));
    const r = await run();
    expect(r.code, r.stderr).toBe(0); // moto does not check signatures: the call is what counts
    expect(assumeCalls()).toBe(2);
    env.sandbox.writeCredentials(credentialsSection("dev", { ...keys, sessionToken: "another-token" }));
    await run();
    expect(assumeCalls()).toBe(3);
  });

  it("credential_source = Environment: another secret in the environment is another cache entry", async () => {
    const keys = await keysFor(env.moto.url, DEV);
    env.sandbox.writeConfig(`[profile target]\nrole_arn = ${ROLE}\ncredential_source = Environment\n`);
    // Past the index's racy window (ctime counts, so utimes cannot fake it): the fast path
    // records this profile, and the digest in its fingerprint is what tells the secrets apart.
    await new Promise((r) => setTimeout(r, 1100));
    const envKeys = {
      AWS_ACCESS_KEY_ID: keys.accessKeyId,
      AWS_SECRET_ACCESS_KEY: keys.secretAccessKey,
      AWS_SESSION_TOKEN: keys.sessionToken ?? "",
    };
    for (let i = 0; i < 3; i++) expect((await run(envKeys)).code).toBe(0);
    expect(assumeCalls()).toBe(1);
    for (let i = 0; i < 2; i++) await run({ ...envKeys, AWS_SECRET_ACCESS_KEY: "wrong" });
    expect(assumeCalls()).toBe(2);
    // The index file holds a digest of the environment's secret, never the secret.
    const index = readdirSync(join(env.sandbox.cacheDir, "profiles"))
      .map((f) => readFileSync(join(env.sandbox.cacheDir, "profiles", f), "utf8"))
      .join("");
    expect(index).not.toContain(keys.secretAccessKey);
    expect(index).not.toContain("wrong");
  });

  it("a credential_process source that now returns another principal gets new role credentials", async () => {
    const keys = await keysFor(env.moto.url, DEV);
    const other = await keysFor(env.moto.url, DEV);
    const out = join(env.sandbox.dir, "creds.json");
    const doc = (k: typeof keys) =>
      JSON.stringify({
        Version: 1,
        AccessKeyId: k.accessKeyId,
        SecretAccessKey: k.secretAccessKey,
        SessionToken: k.sessionToken,
      });
    writeFileSync(out, doc(keys));
    env.sandbox.writeConfig(
      `[profile target]\nrole_arn = ${ROLE}\nsource_profile = proc\n[profile proc]\ncredential_process = cat ${out}\n`,
    );
    for (let i = 0; i < 2; i++) expect((await run()).code).toBe(0);
    expect(assumeCalls()).toBe(1);
    writeFileSync(out, doc(other));
    expect((await run()).code).toBe(0);
    expect(env.proxy.callsOf("AssumeRole").map((c) => c.accessKeyId)).toEqual([
      keys.accessKeyId,
      other.accessKeyId,
    ]);
  });
});

describe("directories rolectl shares with others", () => {
  it("a shared cache directory (sticky, world-writable, like /tmp) is refused and left as it was", async () => {
    const shared = join(env.sandbox.dir, "shared");
    mkdirSync(shared);
    chmodSync(shared, 0o1777);
    const r = await env.sandbox.run(["credential-process", "--profile", "target"], {
      env: { ROLECTL_CACHE_DIR: shared },
    });
    expect(r.code).toBe(3);
    expect(r.stderr).toContain(`Cache directory ${shared} is writable by other users (mode 1777)`);
    expect(statSync(shared).mode & 0o7777).toBe(0o1777);
    expect(readdirSync(shared)).toEqual([]);
    expect(env.proxy.callsOf("AssumeRole")).toEqual([]);
  });

  it("another program's stale temp files beside the config file are not swept", async () => {
    const awsDir = dirname(env.sandbox.configPath);
    const theirs = join(awsDir, "config.4242.abc123.tmp");
    writeFileSync(theirs, "someone else's");
    const old = new Date(Date.now() - 3_600_000);
    utimesSync(theirs, old, old);
    const r = await env.sandbox.run([...WRITE_PROFILE, "--local-profile", "p"]);
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(theirs, "utf8")).toBe("someone else's");
  });
});

describe("no answer can hang rolectl or fill its memory", () => {
  const run = () =>
    env.sandbox.run(["credential-process", "--profile", "target"], {
      env: { ROLECTL_ATTEMPT_TIMEOUT: "2", ROLECTL_CALL_TIMEOUT: "5" },
    });

  it("an answer trickled a byte at a time meets the attempt's deadline, then the call's", async () => {
    env.proxy.inject("AssumeRole", { kind: "trickle", intervalMs: 500 });
    const started = Date.now();
    const r = await run();
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/no (complete )?answer within (2|5) s/);
    expect(Date.now() - started).toBeLessThan(20_000); // was: for ever
    expect(env.proxy.callsOf("AssumeRole").length).toBeGreaterThanOrEqual(2); // attempts were retried
  });

  it("a 300 MB answer is cut off at 16 MB", async () => {
    env.proxy.inject("AssumeRole", { kind: "huge", bytes: 300 * 1024 * 1024 });
    const r = await run();
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("larger than 16 MB");
  });

  it("a timeout that is not whole seconds from 1 to 3600 is refused before any call", async () => {
    for (const bad of ["abc", "0", "3601", "1.5"]) {
      const r = await env.sandbox.run(["credential-process", "--profile", "target"], {
        env: { ROLECTL_CALL_TIMEOUT: bad },
      });
      expect(r.code).toBe(3);
      expect(r.stderr).toContain(`Invalid ROLECTL_CALL_TIMEOUT "${bad}"`);
    }
    expect(env.proxy.calls).toEqual([]);
  });
});

describe("files that are not files", () => {
  it.each([
    ["AWS_CONFIG_FILE", "a FIFO"],
    ["AWS_CONFIG_FILE", "/dev/zero"],
    ["AWS_SHARED_CREDENTIALS_FILE", "a FIFO"],
    ["AWS_SHARED_CREDENTIALS_FILE", "a directory"],
  ])("%s as %s: exit 3 at once, saying it is not a regular file", async (variable, what) => {
    let path = "/dev/zero";
    if (what === "a FIFO") {
      path = join(env.sandbox.dir, "fifo");
      execFileSync("mkfifo", [path]);
    } else if (what === "a directory") path = env.sandbox.dir;
    const r = await env.sandbox.run(["credential-process", "--profile", "target"], {
      env: { [variable]: path },
    });
    expect(r.code).toBe(3);
    expect(r.stderr).toContain(`Cannot read ${path}: not a regular file.`);
    expect(env.proxy.calls).toEqual([]);
  });

  it("a FIFO planted where a cache entry would be is skipped, not waited on", async () => {
    expect((await env.sandbox.run(["credential-process", "--profile", "target"])).code).toBe(0);
    const entry = readdirSync(env.sandbox.cacheDir).find((f) => /^[0-9a-f]{40}\.json$/.test(f)) as string;
    rmSync(join(env.sandbox.cacheDir, entry));
    execFileSync("mkfifo", ["-m", "600", join(env.sandbox.cacheDir, entry)]);
    const r = await env.sandbox.run(["credential-process", "--profile", "target"]);
    expect(r.code, r.stderr).toBe(0);
  });
});

describe("shell output", () => {
  it("a region from the environment is printed into export/fish lines only if it is a region, on a cache hit too", async () => {
    const first = await env.sandbox.run(["assume", "--profile", "target"]);
    expect(first.code, first.stderr).toBe(0);
    for (const format of ["export", "fish", "powershell"])
      for (const region of ["x';touch /tmp/p;#", "x\\';touch /tmp/p;#", "us-east-1\nexport X=1"]) {
        const r = await env.sandbox.run(["assume", "--profile", "target", "--format", format], {
          env: { AWS_REGION: region },
        });
        expect(r.code, `${format} ${JSON.stringify(region)}`).toBe(2);
        expect(r.stdout).toBe("");
        expect(r.stderr).toContain("Invalid region");
      }
    expect(existsSync("/tmp/p")).toBe(false);
  });
});

describe("terminal escapes", () => {
  // An OSC title change (ESC ] … BEL), a carriage return that hides what came before, a C1 CSI.
  const EVIL = "team\u001b]0;pwned\u0007\rfake\u009b2J";
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is checked
  const RAW = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;

  it("a profile name from a cache entry is shown escaped by cache list, fast path and full CLI alike", async () => {
    mkdirSync(env.sandbox.cacheDir, { recursive: true, mode: 0o700 });
    await writeCacheEntry(env.sandbox.cacheDir, "f".repeat(40), {
      version: 1,
      profile: EVIL,
      roleArn: ROLE,
      sessionName: "s",
      createdAt: new Date().toISOString(),
      credentials: {
        AccessKeyId: "ASIAEXAMPLE123456789",
        SecretAccessKey: "x",
        SessionToken: "y",
        Expiration: new Date(Date.now() + 3_600_000).toISOString(),
      },
    });
    for (const args of [
      ["cache", "list"],
      ["cache", "list", "--no-input"],
    ]) {
      const r = await env.sandbox.run(args);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain("team\\x1b]0;pwned\\x07\\x0dfake\\x9b2J");
      expect(r.stdout.replace(/\n/g, "")).not.toMatch(RAW);
    }
  });

  it("a hostile --profile in an error message is escaped", async () => {
    const r = await env.sandbox.run(["whoami", "--profile", EVIL]);
    expect(r.code).toBe(3);
    expect(r.stderr.replace(/\n/g, "")).not.toMatch(RAW);
    expect(r.stderr).toContain("\\x1b]0;pwned");
  });
});

describe("secrets in error messages", () => {
  const SECRET = "hkp88XwJalrXUtnFEMIK7MDENGbPxRfiCYEXAMPLEKEY";

  it("a secret pasted on its own line in the credentials file: the error names file and line, never the line", async () => {
    env.sandbox.writeCredentials(`[dev]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\n${SECRET}\n`);
    for (const json of [[], ["--json"]]) {
      const r = await env.sandbox.run(["whoami", "--profile", "dev", ...json]);
      expect(r.code).toBe(3);
      expect(r.stderr).toContain(`${env.sandbox.credentialsPath}:3:`);
      expect(r.stderr).not.toContain(SECRET.slice(0, 8));
    }
  });

  it("a secret key passed as --access-key-id is not echoed back", async () => {
    const r = await env.sandbox.run([...WRITE_PROFILE, "--access-key-id", SECRET], {
      env: { ROLECTL_SECRET_ACCESS_KEY: "x" },
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("Invalid access key id (--access-key-id)");
    expect(r.stderr).not.toContain(SECRET.slice(0, 8));
  });
});

describe("secrets handed to rolectl stay with rolectl", () => {
  const SECRETS = {
    ROLECTL_SECRET_ACCESS_KEY: "s3cr3t-key",
    ROLECTL_MFA_CODE: "123456",
    MY_TOTP_SEED: "JBSWY3DPEHPK3PXP",
  };

  it("exec's command sees none of them (ROLECTL_SECRET_ACCESS_KEY, ROLECTL_MFA_CODE, the --mfa-totp-secret-env variable)", async () => {
    const r = await env.sandbox.run(
      [
        ...["exec", "--profile", "target", "--mfa-totp-secret-env", "MY_TOTP_SEED", "--"],
        ...[
          "sh",
          "-c",
          // biome-ignore lint/suspicious/noTemplateCurlyInString: shell parameter expansion, not a template
          'echo "[$ROLECTL_SECRET_ACCESS_KEY][$ROLECTL_MFA_CODE][$MY_TOTP_SEED][${AWS_ACCESS_KEY_ID:+keys}]"',
        ],
      ],
      { env: SECRETS },
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe("[][][][keys]");
  });

  it("an mfa_process does not see ROLECTL_SECRET_ACCESS_KEY", async () => {
    const seen = join(env.sandbox.dir, "seen");
    const script = join(env.sandbox.dir, "mfa.sh");
    writeFileSync(script, `#!/bin/sh\necho "[$ROLECTL_SECRET_ACCESS_KEY][$HOME]" > "${seen}"\necho 654321\n`);
    chmodSync(script, 0o755);
    env.sandbox.writeConfig(
      `[profile mfa]\nrole_arn = ${ROLE}\nsource_profile = dev\nmfa_serial = arn:aws:iam::${DEV}:mfa/dev\nmfa_process = ${script}\n`,
    );
    const r = await env.sandbox.run(["credential-process", "--profile", "mfa"], {
      env: {
        ROLECTL_SECRET_ACCESS_KEY: SECRETS.ROLECTL_SECRET_ACCESS_KEY,
        MY_TOTP_SEED: SECRETS.MY_TOTP_SEED,
      },
    });
    expect(r.code, r.stderr).toBe(0);
    // The rest of the environment is passed on.
    expect(readFileSync(seen, "utf8").trim()).toBe(`[][${env.sandbox.home}]`);
  });
});

describe("secrets on the command line and in URLs", () => {
  it("an endpoint URL's user and password are never shown (--debug, network errors)", async () => {
    const r = await env.sandbox.run(["whoami", "--profile", "dev", "--debug"], {
      env: { AWS_ENDPOINT_URL: "http://admin:hunter2pass@127.0.0.1:9", AWS_MAX_ATTEMPTS: "1" },
    });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain("http://****@127.0.0.1:9");
    expect(r.stderr).not.toContain("hunter2pass");
  });

  it("--mfa-code - reads the code from standard input (so that ps does not show it)", async () => {
    env.sandbox.writeConfig(
      `[profile mfa]\nrole_arn = ${ROLE}\nsource_profile = dev\nmfa_serial = arn:aws:iam::${DEV}:mfa/dev\n`,
    );
    const r = await env.sandbox.run(["credential-process", "--profile", "mfa", "--mfa-code", "-"], {
      input: "246810\n",
    });
    expect(r.code, r.stderr).toBe(0);
    expect(env.proxy.callsOf("AssumeRole")[0]?.params.TokenCode).toBe("246810");
  });
});

describe("provisioning inputs refused before any AWS call", () => {
  const policies = Array.from({ length: 11 }, (_, i) => [
    "--managed-policy",
    `arn:aws:iam::aws:policy/P${i}`,
  ]).flat();
  const tags = (n: number) => Array.from({ length: n }, (_, i) => ["--tag", `k${i}=v`]).flat();
  it.each([
    ["11 managed policies", [...policies], "at most 10 managed policies"],
    ["51 tags", tags(51), "Too many tags (--tag): 51"],
    [
      "the same tag key twice, in two cases",
      ["--tag", "Team=a", "--tag", "team=b"],
      'Duplicate tag key "team" (--tag), the same as "Team"',
    ],
  ])("%s: exit 2, zero calls", async (_label, extra, message) => {
    const r = await env.sandbox.run([
      "role",
      "create",
      "r",
      "--service",
      "lambda",
      "--profile",
      "dev",
      ...extra,
    ]);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain(message);
    expect(env.proxy.calls).toEqual([]);
  });
});
