import { spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { createTrustingRole, keysFor } from "../support/accounts.js";
import { BIN, runProgram } from "../support/cli.js";
import { useE2eEnv } from "../support/env.js";

// IAM Identity Center through rolectl (issue 17): sign-in, the token cache shared with the AWS
// CLI both ways, profiles as chain sources, and one refresh / one sign-in for many callers. The
// proxy plays sso-oidc and the portal (test/support/fake-sso.ts); credentials are moto's.

const env = useE2eEnv();
const ACCOUNT = "111111111111";
const DEV = "222222222222";
const PYTHON = spawnSync("python3", ["-c", "import sys; print(sys.executable)"], {
  encoding: "utf8",
}).stdout.trim();

const session = () => `[sso-session work]
sso_start_url = ${env.proxy.sso.startUrl}
sso_region = ${env.proxy.sso.region}
sso_registration_scopes = sso:account:access
`;
const ssoProfile = (name: string, account = ACCOUNT, role = "Admin") => `[profile ${name}]
sso_session = work
sso_account_id = ${account}
sso_role_name = ${role}
region = us-east-1
`;
const tokenFile = () =>
  join(env.sandbox.home, ".aws", "sso", "cache", `${createHash("sha1").update("work").digest("hex")}.json`);
const writeToken = (json: string) => {
  mkdirSync(join(env.sandbox.home, ".aws", "sso", "cache"), { recursive: true });
  writeFileSync(tokenFile(), json, { mode: 0o600 });
};
const run = (args: string[], extra: Record<string, string> = {}) =>
  env.sandbox.run(args, { env: { CI: "true", ...extra } });

beforeEach(() => {
  env.sandbox.writeConfig(`${session()}\n${ssoProfile("dev")}`);
  env.proxy.sso.addAccount(ACCOUNT, "Production", ["Admin", "ReadOnly"]);
});

describe("rolectl sso login", () => {
  it("signs in with the device flow without a browser, and writes the token as the AWS CLI does, which then uses and refreshes it", async () => {
    const sso = env.proxy.sso;
    sso.autoApprove = true;
    sso.accessTokenSeconds = 300; // inside botocore's 15-minute window: it will refresh it
    const r = await run(["sso", "login", "--sso-session", "work", "--no-browser"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/open \S+ and enter the code [A-Z0-9]{4}-[A-Z0-9]{4}/);
    expect(r.stdout).toMatch(/^signed in to sso-session work/);
    const token = JSON.parse(readFileSync(tokenFile(), "utf8")) as Record<string, string>;
    // The AWS CLI's fields, and rolectl's mark on a client it registered (botocore ignores it).
    expect(Object.keys(token).sort()).toEqual(
      [
        "accessToken",
        "clientId",
        "clientSecret",
        "expiresAt",
        "refreshToken",
        "region",
        "registrationExpiresAt",
        "rolectlRegistration",
        "startUrl",
      ].sort(),
    );
    expect(token.expiresAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(sso.isValidAccessToken(token.accessToken ?? "")).toBe(true);
    expect(statSync(tokenFile()).mode & 0o777).toBe(0o600);
    for (const secret of [token.accessToken, token.refreshToken, token.clientSecret])
      expect(r.stderr + r.stdout).not.toContain(secret);
    expect(sso.stats()).toMatchObject({ registrations: 1, deviceAuthorizations: 1 });

    // The AWS CLI (botocore) gets credentials for the profile from rolectl's token.
    env.sandbox.writeConfig(`[default]\ncli_follow_urlparam = false\n${session()}\n${ssoProfile("dev")}`);
    const aws = await runProgram(
      PYTHON,
      ["-m", "awscli", "sts", "get-caller-identity", "--profile", "dev", "--output", "json"],
      {
        ...env.sandbox.env,
        AWS_DEFAULT_REGION: "us-east-1",
      },
    );
    expect(aws.stderr).toBe("");
    expect(JSON.parse(aws.stdout).Account).toBe(ACCOUNT);
    // botocore refreshed rolectl's token with the registration rolectl stored, and wrote it back.
    expect(env.proxy.callsOf("CreateToken").map((c) => `${c.params.grantType} ${c.status}`)).toContain(
      "refresh_token 200",
    );
    const refreshed = JSON.parse(readFileSync(tokenFile(), "utf8")) as Record<string, string>;
    expect(refreshed.accessToken).not.toBe(token.accessToken);
    expect(sso.isValidAccessToken(refreshed.accessToken ?? "")).toBe(true);
    // …and rolectl takes the file botocore wrote back.
    const creds = await run(["credential-process", "--profile", "dev"]);
    expect(creds.code, creds.stderr).toBe(0);
  });

  it("--json: the session and expiry, never the token", async () => {
    env.proxy.sso.autoApprove = true;
    const r = await run(["sso", "login", "--json", "--no-browser"]); // the only [sso-session]
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(out).toMatchObject({ session: "work", startUrl: env.proxy.sso.startUrl });
    expect(JSON.stringify(out)).not.toContain(env.proxy.sso.issuedAccessTokens()[0]?.accessToken);
  });
});

describe("rolectl sso login in a browser", () => {
  /** A "browser" that visits the page it is given (which approves the code) and notes that it ran. */
  const fakeBrowser = () => {
    const path = join(env.sandbox.dir, "browser.sh");
    const visited = join(env.sandbox.dir, "visited");
    writeFileSync(
      path,
      `#!/bin/sh\necho "$1" > '${visited}'\n'${process.execPath}' -e 'fetch(process.argv[1]).then(r => r.text())' "$1"\n`,
      { mode: 0o755 },
    );
    return { path, visited };
  };

  it("opens the verification page where there is a display, and signs in when it is approved there", async () => {
    const browser = fakeBrowser();
    const r = await env.sandbox.run(["sso", "login", "--profile", "dev"], {
      env: { DISPLAY: ":0", BROWSER: browser.path },
    });
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(browser.visited, "utf8").trim()).toMatch(
      /\/device\?user_code=[A-Z0-9]{4}-[A-Z0-9]{4}$/,
    );
    expect(r.stderr).toContain("Signing in to IAM Identity Center in your browser");
    expect(env.proxy.sso.stats().verificationVisits).toBe(1);
  });

  it("never opens a browser in CI: the URL and code are printed instead", async () => {
    const browser = fakeBrowser();
    env.proxy.sso.autoApprove = true;
    const r = await env.sandbox.run(["sso", "login", "--profile", "dev"], {
      env: { CI: "true", DISPLAY: ":0", BROWSER: browser.path },
    });
    expect(r.code, r.stderr).toBe(0);
    expect(existsSync(browser.visited)).toBe(false);
    expect(r.stderr).toMatch(/open \S+ and enter the code/);
  });

  it("a legacy profile (sso_start_url in the profile): signs in, and its token file is named by the start URL", async () => {
    env.proxy.sso.autoApprove = true;
    env.sandbox.writeConfig(
      `[profile old]\nsso_start_url = ${env.proxy.sso.startUrl}\nsso_region = ${env.proxy.sso.region}\nsso_account_id = ${ACCOUNT}\nsso_role_name = Admin\n`,
    );
    const r = await run(["sso", "login", "--profile", "old", "--no-browser"]);
    expect(r.code, r.stderr).toBe(0);
    const file = join(
      env.sandbox.home,
      ".aws",
      "sso",
      "cache",
      `${createHash("sha1").update(env.proxy.sso.startUrl).digest("hex")}.json`,
    );
    expect(JSON.parse(readFileSync(file, "utf8")).startUrl).toBe(env.proxy.sso.startUrl);
    const creds = await run(["credential-process", "--profile", "old"]);
    expect(creds.code, creds.stderr).toBe(0);
  });
});

describe("IAM Identity Center profiles as credential sources", () => {
  it("uses a token the AWS CLI wrote: credential-process for the profile, one GetRoleCredentials, then the cache", async () => {
    const sso = env.proxy.sso;
    writeToken(sso.tokenCacheJson(sso.mintToken()));
    for (let i = 0; i < 2; i++) {
      const r = await run(["credential-process", "--profile", "dev"]);
      expect(r.code, r.stderr).toBe(0);
      expect(JSON.parse(r.stdout)).toMatchObject({ Version: 1 });
    }
    expect(env.proxy.callsOf("GetRoleCredentials")).toHaveLength(1);
    const id = await run(["whoami", "--profile", "dev", "--json"]);
    expect(id.code, id.stderr).toBe(0);
    expect(JSON.parse(id.stdout).account).toBe(ACCOUNT);
  });

  it("reads expiresAt as older botocore wrote it (…UTC)", async () => {
    const sso = env.proxy.sso;
    writeToken(
      sso.tokenCacheJson(sso.mintToken()).replace(/"expiresAt": ?"([^"]+)Z"/, '"expiresAt": "$1UTC"'),
    );
    expect(readFileSync(tokenFile(), "utf8")).toMatch(/"expiresAt": ?"[^"]+UTC"/);
    const r = await run(["credential-process", "--profile", "dev"]);
    expect(r.code, r.stderr).toBe(0);
    expect(env.proxy.callsOf("CreateToken")).toEqual([]); // not mistaken for an expired token
  });

  it("an SSO profile is the source of a cross-account role with an external id, in strict mode", async () => {
    const sso = env.proxy.sso;
    writeToken(sso.tokenCacheJson(sso.mintToken()));
    env.proxy.strict = true;
    await createTrustingRole(env.moto.url, await keysFor(env.moto.url, DEV), {
      name: "BizCorpRole",
      trustedAccount: ACCOUNT,
      externalId: "Ext-1234567890",
    });
    env.sandbox.writeConfig(
      `${session()}\n${ssoProfile("dev")}\n[profile biz]\nrole_arn = arn:aws:iam::${DEV}:role/BizCorpRole\nsource_profile = dev\nexternal_id = Ext-1234567890\n`,
    );
    const r = await run(["assume", "--profile", "biz", "--json"]);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).AssumedRoleArn).toMatch(
      new RegExp(`^arn:aws:sts::${DEV}:assumed-role/BizCorpRole/`),
    );
    const assume = env.proxy.callsOf("AssumeRole");
    expect(assume).toHaveLength(1);
    expect(assume[0]?.answeredBy).toBe("moto"); // strict mode let it through
    expect(env.proxy.callsOf("GetRoleCredentials")).toHaveLength(1);
  });

  it("30 parallel credential-process calls on a valid token: one GetRoleCredentials", async () => {
    const sso = env.proxy.sso;
    writeToken(sso.tokenCacheJson(sso.mintToken()));
    const results = await Promise.all(
      Array.from({ length: 30 }, () => run(["credential-process", "--profile", "dev"])),
    );
    expect(results.map((r) => r.code)).toEqual(Array(30).fill(0));
    expect(new Set(results.map((r) => JSON.parse(r.stdout).AccessKeyId)).size).toBe(1);
    expect(env.proxy.callsOf("GetRoleCredentials")).toHaveLength(1);
  });

  it("30 parallel calls for 3 profiles on an expired access token: exactly one refresh, written back", async () => {
    const sso = env.proxy.sso;
    writeToken(sso.tokenCacheJson(sso.mintToken({ expiresInSeconds: -60 })));
    env.sandbox.writeConfig(
      `${session()}\n${ssoProfile("a")}\n${ssoProfile("b", ACCOUNT, "ReadOnly")}\n${ssoProfile("c")}`,
    );
    const results = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        run(["credential-process", "--profile", ["a", "b", "c"][i % 3] as string]),
      ),
    );
    expect(results.map((r) => r.code)).toEqual(Array(30).fill(0));
    expect(sso.stats().refreshes).toBe(1);
    expect(env.proxy.callsOf("CreateToken").map((c) => c.params.grantType)).toEqual(["refresh_token"]);
    const written = JSON.parse(readFileSync(tokenFile(), "utf8")) as Record<string, string>;
    expect(sso.isValidAccessToken(written.accessToken ?? "")).toBe(true);
    expect(written.registrationExpiresAt).toBeTruthy();
    // a and c name the same account and role: one cache entry, so one portal call for Admin
    expect(
      env.proxy
        .callsOf("GetRoleCredentials")
        .map((c) => c.params.roleName)
        .sort(),
    ).toEqual(["Admin", "ReadOnly"]);
  });

  it("no token and nobody to sign in (CI): exit 4 naming `rolectl sso login --sso-session work`, no device flow", async () => {
    const results = await Promise.all(
      Array.from({ length: 30 }, () => run(["credential-process", "--profile", "dev"])),
    );
    for (const r of results) {
      expect(r.code).toBe(4);
      expect(r.stderr).toContain("rolectl sso login --sso-session work");
    }
    expect(env.proxy.callsOf("StartDeviceAuthorization")).toEqual([]);
    expect(env.proxy.callsOf("RegisterClient")).toEqual([]);
  });

  it("a profile naming an [sso-session] that is not there: exit 3 naming both", async () => {
    env.sandbox.writeConfig(ssoProfile("dev"));
    const r = await run(["credential-process", "--profile", "dev"]);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain("names sso_session work, but");
  });
});

describe("rolectl sso logout", () => {
  it("revokes the token, removes it, and removes the role credentials made from it (chained ones too)", async () => {
    const sso = env.proxy.sso;
    const minted = sso.mintToken();
    writeToken(sso.tokenCacheJson(minted));
    await createTrustingRole(env.moto.url, await keysFor(env.moto.url, DEV), {
      name: "BizCorpRole",
      trustedAccount: ACCOUNT,
    });
    env.sandbox.writeConfig(
      `${session()}\n${ssoProfile("dev")}\n[profile biz]\nrole_arn = arn:aws:iam::${DEV}:role/BizCorpRole\nsource_profile = dev\n[profile keys]\nrole_arn = arn:aws:iam::${DEV}:role/BizCorpRole\ncredential_source = Environment\n`,
    );
    expect((await run(["credential-process", "--profile", "biz"])).code).toBe(0);
    const keys = await keysFor(env.moto.url, ACCOUNT);
    const other = await run(["credential-process", "--profile", "keys"], {
      AWS_ACCESS_KEY_ID: keys.accessKeyId,
      AWS_SECRET_ACCESS_KEY: keys.secretAccessKey,
      AWS_SESSION_TOKEN: keys.sessionToken ?? "",
    });
    expect(other.code, other.stderr).toBe(0);
    const entries = () => readdirSync(env.sandbox.cacheDir).filter((f) => /^[0-9a-f]{40}\.json$/.test(f));
    expect(entries()).toHaveLength(3); // the portal's role, the role chained from it, the other
    const r = await run(["sso", "logout", "--sso-session", "work"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("removed the token and 2 cached credentials");
    expect(existsSync(tokenFile())).toBe(false);
    expect(entries()).toHaveLength(1);
    expect(sso.isValidAccessToken(minted.accessToken)).toBe(false);
    expect(env.proxy.callsOf("Logout")).toHaveLength(1);
  });
});

describe("rolectl sso populate", () => {
  const hash = () => createHash("sha256").update(readFileSync(env.sandbox.configPath)).digest("hex");

  it("1,000 accounts: one profile per account and role in one edit, idempotent, --prune keeps hand-written ones", async () => {
    const sso = env.proxy.sso;
    sso.accounts.clear();
    sso.addAccount(ACCOUNT, "Production", ["Admin"]);
    const many = sso.addAccounts(999);
    writeToken(sso.tokenCacheJson(sso.mintToken()));
    // Hand-written: one of its own, one whose name the template would produce.
    env.sandbox.writeConfig(
      `${session()}\n# mine\n[profile mine]\nregion = eu-west-1\n\n[profile Production-Admin]\nregion = eu-central-1\n`,
    );
    const started = Date.now();
    const r = await run(["sso", "populate", "--sso-session", "work", "--json"]);
    const ms = Date.now() - started;
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { accounts: number; added: string[]; skipped: { profile: string }[] };
    expect(out.accounts).toBe(1000);
    expect(out.added).toHaveLength(999 * 2);
    expect(out.skipped.map((s) => s.profile)).toEqual(["Production-Admin"]);
    expect(r.stderr).toContain("Left profile Production-Admin alone (written by hand)");
    expect(ms).toBeLessThan(60_000); // bounded; the closing note reports the figure
    process.stdout.write(`sso populate, 1,000 accounts: ${ms} ms\n`);
    const text = readFileSync(env.sandbox.configPath, "utf8");
    expect(text).toContain("# mine\n[profile mine]\nregion = eu-west-1\n");
    expect(text).toContain("[profile Production-Admin]\nregion = eu-central-1\n");
    expect(text).toContain(
      `[profile account-0001-AdministratorAccess]\nsso_session = work\nsso_account_id = ${many[0]?.accountId}\nsso_role_name = AdministratorAccess\nregion = ${sso.region}\nrolectl_populated = work\n`,
    );
    expect(env.proxy.callsOf("ListAccountRoles")).toHaveLength(1000);

    // A populated profile works, for rolectl and for botocore's reader.
    const creds = await run(["credential-process", "--profile", "account-0002-ReadOnlyAccess"]);
    expect(creds.code, creds.stderr).toBe(0);
    const botocore = spawnSync(PYTHON, ["test/support/botocore_profiles.py", env.sandbox.configPath], {
      encoding: "utf8",
    });
    const profiles = (JSON.parse(botocore.stdout) as { profiles: Record<string, Record<string, string>> })
      .profiles;
    expect(Object.keys(profiles)).toHaveLength(2 + 999 * 2);
    expect(profiles["account-0999-ReadOnlyAccess"]?.sso_account_id).toBe(many[998]?.accountId);

    // Again: nothing to change, the file untouched.
    const before = hash();
    const again = await run(["sso", "populate", "--sso-session", "work"]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain("nothing changed");
    expect(hash()).toBe(before);

    // An account goes away: reported as stale, removed only with --prune.
    sso.removeAccount(many[0]?.accountId as string);
    const stale = await run(["sso", "populate", "--sso-session", "work"]);
    expect(stale.stderr).toContain("2 populated profile(s) no longer reachable");
    expect(hash()).toBe(before);
    const dry = await run(["sso", "populate", "--sso-session", "work", "--prune", "--dry-run"]);
    expect(dry.stdout).toContain("would remove 2 profile(s)");
    expect(hash()).toBe(before);
    const pruned = await run(["sso", "populate", "--sso-session", "work", "--prune"]);
    expect(pruned.code, pruned.stderr).toBe(0);
    const after = readFileSync(env.sandbox.configPath, "utf8");
    expect(after).not.toContain("[profile account-0001-");
    expect(after).toContain("[profile account-0002-AdministratorAccess]");
    expect(after).toContain("# mine\n[profile mine]\nregion = eu-west-1\n");
    expect(after).toContain("[profile Production-Admin]\nregion = eu-central-1\n");
  });

  it("a --name template without the account or role is refused before any call", async () => {
    const r = await run(["sso", "populate", "--sso-session", "work", "--name", "{account_name}"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("{role_name}");
    expect(env.proxy.calls).toEqual([]);
  });
});

describe("on a terminal", () => {
  it("30 parallel credential-process calls with no token: exactly one sign-in (one code shown), the others wait for it", async () => {
    const sso = env.proxy.sso;
    sso.autoApprove = true;
    const outs = Array.from({ length: 30 }, (_, i) => join(env.sandbox.dir, `out${i}`));
    const node = (out: string) =>
      `'${process.execPath}' '${BIN}' credential-process --profile dev > '${out}' 2>/dev/null; echo "exit $?" >> '${out}.code'`;
    const script = `${outs.map((o) => `(${node(o)}) &`).join("\n")}\nwait\n`;
    const file = join(env.sandbox.dir, "parallel.sh");
    writeFileSync(file, script);
    const child = spawn("script", ["-qec", `bash '${file}'`, "/dev/null"], {
      env: { ...env.sandbox.env, TERM: "xterm" },
      stdio: ["pipe", "pipe", "pipe"],
    });
    let screen = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => {
      screen += d;
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
    await new Promise((resolve) => child.on("close", resolve));
    clearTimeout(timer);
    for (const out of outs) {
      expect(readFileSync(`${out}.code`, "utf8").trim()).toBe("exit 0");
      expect(JSON.parse(readFileSync(out, "utf8"))).toMatchObject({ Version: 1 });
    }
    expect(env.proxy.callsOf("StartDeviceAuthorization")).toHaveLength(1);
    expect(env.proxy.callsOf("RegisterClient")).toHaveLength(1);
    expect(screen.match(/enter the code [A-Z0-9]{4}-[A-Z0-9]{4}/g)).toHaveLength(1);
    expect(env.proxy.callsOf("GetRoleCredentials")).toHaveLength(1);
  });
});
