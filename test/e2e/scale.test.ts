import { readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { createTrustingRole, credentialsSection, keysFor } from "../support/accounts.js";
import { useE2eEnv } from "../support/env.js";

// Organization-sized config files: correctness at scale (speed is `npm run bench`'s to measure).

const env = useE2eEnv();
const BIZ = "111111111111";
const DEV = "222222222222";

/** A config of `n` role profiles (as granted's `sso populate` writes them), plus `target`. */
function orgConfig(n: number, targetRole: string): string {
  const parts: string[] = [];
  for (let i = 0; i < n; i++)
    parts.push(
      `[profile p${i}]\nrole_arn = arn:aws:iam::${String(100000000000 + i)}:role/Admin\nsource_profile = dev\nregion = us-east-1\n`,
    );
  parts.push(`[profile target]\nrole_arn = arn:aws:iam::${BIZ}:role/${targetRole}\nsource_profile = dev\n`);
  return parts.join("\n");
}

beforeEach(async () => {
  const devKeys = await keysFor(env.moto.url, DEV);
  const bizKeys = await keysFor(env.moto.url, BIZ);
  for (const name of ["RoleA", "RoleB"])
    await createTrustingRole(env.moto.url, bizKeys, { name, trustedAccount: DEV });
  env.sandbox.writeCredentials(credentialsSection("dev", devKeys));
  env.proxy.reset();
});

describe("a 10,000-profile config", () => {
  it("the warm path's index never serves a plan older than the file: role_arn edited in place → the new role", async () => {
    env.sandbox.writeConfig(orgConfig(10_000, "RoleA"));
    const call = async () => {
      const r = await env.sandbox.run(["credential-process", "--profile", "target"]);
      expect(r.code, r.stderr).toBe(0);
      return JSON.parse(r.stdout) as { AccessKeyId: string };
    };
    const assumed = () => env.proxy.callsOf("AssumeRole").map((c) => c.params.RoleArn?.split("/").pop());
    const first = await call();
    expect(assumed()).toEqual(["RoleA"]);
    // The index is written only for files older than the file system's clock tick can blur.
    await new Promise((r) => setTimeout(r, 1100));
    expect(await call()).toEqual(first); // a hit, planned from the parsed file: recorded
    const profiles = join(env.sandbox.cacheDir, "profiles");
    expect(readdirSync(profiles)).toHaveLength(1);
    expect(await call()).toEqual(first); // a hit from the index
    expect(assumed()).toEqual(["RoleA"]);

    // The hardest edit to notice: in place (same inode), same size, straight after a hit.
    const before = statSync(env.sandbox.configPath);
    writeFileSync(env.sandbox.configPath, orgConfig(10_000, "RoleB"));
    const after = statSync(env.sandbox.configPath);
    expect([after.ino, after.size]).toEqual([before.ino, before.size]);
    const edited = await call();
    expect(assumed()).toEqual(["RoleA", "RoleB"]);
    expect(edited.AccessKeyId).not.toBe(first.AccessKeyId);
  });
});

describe("the AWS SDK inside rolectl", () => {
  it("reads its own settings from the profile's sections: a [services] endpoint in a 10,000-profile config is honoured", async () => {
    env.sandbox.writeConfig(
      `${orgConfig(10_000, "RoleA")}\n[profile dev]\nregion = us-east-1\nservices = local\n\n[services local]\niam =\n  endpoint_url = ${env.proxy.url}\n`,
    );
    // No endpoint from flags or the environment: only the [services] section can send IAM to the proxy.
    // (The SDK looks endpoint settings up in the profile AWS_PROFILE names, whatever the client's.)
    const r = await env.sandbox.run(["role", "show", "RoleA", "--json"], {
      env: { AWS_PROFILE: "dev", AWS_ENDPOINT_URL: "", AWS_MAX_ATTEMPTS: "1" },
    });
    expect(r.stderr).toContain("does not exist"); // answered by moto (RoleA is in another account)
    expect(r.code).toBe(3);
    expect(env.proxy.callsOf("GetRole")).toHaveLength(1);
  });
});

describe("a 50,000-profile config", () => {
  it("the editor rewrites one profile in the middle and leaves every other byte as it was", async () => {
    const text = orgConfig(50_000, "RoleA");
    env.sandbox.writeConfig(text);
    const r = await env.sandbox.run([
      ...["cross-account", "write-profile", "--local-profile", "p25000"],
      ...["--role-arn", `arn:aws:iam::${BIZ}:role/RoleB`, "--source-profile", "dev", "--force"],
    ]);
    expect(r.code, r.stderr).toBe(0);
    const written = readFileSync(env.sandbox.configPath, "utf8");
    const start = text.indexOf("[profile p25000]\n");
    const end = text.indexOf("[profile p25001]\n");
    expect(written.slice(0, start)).toBe(text.slice(0, start));
    expect(written.slice(written.indexOf("[profile p25001]\n"))).toBe(text.slice(end));
    expect(written.slice(start, written.indexOf("[profile p25001]\n"))).toBe(
      `[profile p25000]\nrole_arn = arn:aws:iam::${BIZ}:role/RoleB\nsource_profile = dev\nregion = us-east-1\n\n`,
    );
  });
});
