import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { createRoleWithTrust, githubTrust } from "../support/accounts.js";
import { useE2eEnv } from "../support/env.js";
import { fingerprint, makeJwt } from "../support/fake-sso.js";

// Web identity as a credential source (issue 17): AssumeRoleWithWebIdentity, unsigned, with a
// token from a file (re-read every time) or from GitHub Actions' token endpoint (the proxy's
// fake). Strict mode checks the token against the role's trust policy, as STS would.

const env = useE2eEnv();
const ACCOUNT = "123456789012";
const ROLE = `arn:aws:iam::${ACCOUNT}:role/GhaDeploy`;
const HOST = "token.actions.githubusercontent.com";

const jwt = (over: Record<string, unknown> = {}) =>
  makeJwt({
    iss: `https://${HOST}`,
    aud: "sts.amazonaws.com",
    sub: "repo:org/repo:ref:refs/heads/main",
    exp: Math.floor(Date.now() / 1000) + 600,
    iat: Math.floor(Date.now() / 1000),
    ...over,
  });

beforeEach(async () => {
  await createRoleWithTrust(env.moto.url, "GhaDeploy", [githubTrust(ACCOUNT)]);
  env.sandbox.writeConfig("");
  env.sandbox.writeCredentials("");
  env.proxy.strict = true;
  env.proxy.reset();
  env.proxy.strict = true;
});

const tokenPath = () => join(env.sandbox.dir, "token");
const webIdentityCalls = () => env.proxy.callsOf("AssumeRoleWithWebIdentity");

describe("a token file", () => {
  it("--web-identity-token-file: assumed with no keys at all, cached, and the file re-read when renewed", async () => {
    const first = jwt();
    writeFileSync(tokenPath(), first);
    const args = ["assume", "--role-arn", ROLE, "--web-identity-token-file", tokenPath(), "--json"];
    const r = await env.sandbox.run(args);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).AssumedRoleArn).toMatch(
      /^arn:aws:sts::123456789012:assumed-role\/GhaDeploy\//,
    );
    expect((await env.sandbox.run(args)).code).toBe(0);
    expect(webIdentityCalls()).toHaveLength(1); // the second came from the cache
    const second = jwt({ iat: Math.floor(Date.now() / 1000) + 1 });
    writeFileSync(tokenPath(), second); // rotated, as Kubernetes does
    expect((await env.sandbox.run([...args, "--refresh"])).code).toBe(0);
    expect(webIdentityCalls().map((c) => c.params.WebIdentityToken)).toEqual([
      fingerprint(first),
      fingerprint(second),
    ]);
    expect(webIdentityCalls().every((c) => !c.accessKeyId)).toBe(true); // unsigned
    expect(r.stderr + r.stdout).not.toContain(first);
  });

  it("the cache is keyed by whose token it is: the same subject reuses it, another job's token at the same path does not", async () => {
    const args = ["assume", "--role-arn", ROLE, "--web-identity-token-file", tokenPath(), "--json"];
    writeFileSync(tokenPath(), jwt());
    expect((await env.sandbox.run(args)).code).toBe(0);
    writeFileSync(tokenPath(), jwt({ iat: Math.floor(Date.now() / 1000) + 5 })); // rotated, same subject
    expect((await env.sandbox.run(args)).code).toBe(0);
    expect(webIdentityCalls()).toHaveLength(1);
    writeFileSync(tokenPath(), jwt({ sub: "repo:org/repo:ref:refs/heads/dev" })); // another job
    expect((await env.sandbox.run(args)).code).toBe(0);
    expect(webIdentityCalls()).toHaveLength(2);
  });

  it("a profile with role_arn and web_identity_token_file, as the source of credential-process", async () => {
    writeFileSync(tokenPath(), jwt());
    env.sandbox.writeConfig(
      `[profile ci]\nrole_arn = ${ROLE}\nweb_identity_token_file = ${tokenPath()}\nrole_session_name = ci-run\n`,
    );
    const r = await env.sandbox.run(["credential-process", "--profile", "ci"]);
    expect(r.code, r.stderr).toBe(0);
    expect(webIdentityCalls()[0]?.params.RoleSessionName).toBe("ci-run");
  });

  it("a web identity profile as the source_profile of another role (a chain)", async () => {
    writeFileSync(tokenPath(), jwt());
    await createRoleWithTrust(env.moto.url, "Deployer", [
      { Effect: "Allow", Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: "sts:AssumeRole" },
    ]);
    env.sandbox.writeConfig(
      `[profile ci]\nrole_arn = ${ROLE}\nweb_identity_token_file = ${tokenPath()}\n\n[profile deploy]\nrole_arn = arn:aws:iam::${ACCOUNT}:role/Deployer\nsource_profile = ci\n`,
    );
    const r = await env.sandbox.run(["assume", "--profile", "deploy", "--json"]);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).AssumedRoleArn).toMatch(/assumed-role\/Deployer\//);
    expect(webIdentityCalls()).toHaveLength(1);
    expect(env.proxy.callsOf("AssumeRole").map((c) => c.answeredBy)).toEqual(["moto"]);
  });

  it("the environment form: AWS_ROLE_ARN with AWS_WEB_IDENTITY_TOKEN_FILE", async () => {
    writeFileSync(tokenPath(), jwt());
    const r = await env.sandbox.run(["assume", "--json"], {
      env: {
        AWS_ROLE_ARN: ROLE,
        AWS_WEB_IDENTITY_TOKEN_FILE: tokenPath(),
        AWS_ROLE_SESSION_NAME: "from-env",
      },
    });
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).AssumedRoleArn).toMatch(/assumed-role\/GhaDeploy\/from-env$/);
  });

  it("a missing file, or an expired token: exit 4 naming the file", async () => {
    const missing = await env.sandbox.run([
      "assume",
      "--role-arn",
      ROLE,
      "--web-identity-token-file",
      tokenPath(),
    ]);
    expect(missing.code).toBe(4);
    expect(missing.stderr).toContain(
      `The web identity token file ${tokenPath()} is missing, empty or unreadable.`,
    );
    expect(webIdentityCalls()).toEqual([]);
    writeFileSync(tokenPath(), jwt({ exp: Math.floor(Date.now() / 1000) - 60 }));
    const expired = await env.sandbox.run([
      "assume",
      "--role-arn",
      ROLE,
      "--web-identity-token-file",
      tokenPath(),
    ]);
    expect(expired.code).toBe(4);
    expect(expired.stderr).toContain(`The web identity token in ${tokenPath()} has expired`);
  });

  it.each([
    [["--web-identity-token-file", "f"], "--web-identity-token-file needs --role-arn"],
    [["--role-arn", ROLE, "--web-identity-token-file", "f", "--github-actions"], "two token sources"],
    [
      ["--role-arn", ROLE, "--github-actions", "--mfa-serial", "arn:aws:iam::123456789012:mfa/u"],
      "--mfa-serial does not go with",
    ],
    [["--role-arn", ROLE, "--audience", "x"], "--audience goes with --github-actions"],
    [["--profile", "p", "--role-arn", ROLE, "--github-actions"], "two credential sources"],
  ])("%j is refused with exit 2 before any call", async (extra, message) => {
    const r = await env.sandbox.run(["assume", ...extra]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(message);
    expect(env.proxy.calls).toEqual([]);
  });
});

describe("GitHub Actions", () => {
  const actionsEnv = () => ({
    ACTIONS_ID_TOKEN_REQUEST_URL: env.proxy.github.url,
    ACTIONS_ID_TOKEN_REQUEST_TOKEN: env.proxy.github.requestToken,
  });

  it("exec --github-actions: the job's token, for sts.amazonaws.com, runs a command as the role with no stored secret", async () => {
    const r = await env.sandbox.run(
      [
        "exec",
        "--github-actions",
        "--role-arn",
        ROLE,
        "--",
        "sh",
        "-c",
        'test -n "$AWS_SESSION_TOKEN" && echo ok',
      ],
      { env: actionsEnv() },
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe("ok");
    expect(env.proxy.callsOf("GitHubToken").map((c) => [c.params.audience, c.status])).toEqual([
      ["sts.amazonaws.com", 200],
    ]);
    expect(webIdentityCalls()[0]?.answeredBy).toBe("moto"); // the trust policy's aud and sub matched
    expect(r.stderr).not.toContain(env.proxy.github.requestToken);
  });

  it("a token for another repository is refused by the role's trust (exit 4)", async () => {
    env.proxy.github.subject = "repo:evil/repo:ref:refs/heads/main";
    const r = await env.sandbox.run(["assume", "--github-actions", "--role-arn", ROLE], {
      env: actionsEnv(),
    });
    expect(r.code).toBe(4);
  });

  it("outside a job (no request URL or token): exit 4 naming both variables, no call", async () => {
    const r = await env.sandbox.run(["assume", "--github-actions", "--role-arn", ROLE]);
    expect(r.code).toBe(4);
    expect(r.stderr).toContain("ACTIONS_ID_TOKEN_REQUEST_URL and ACTIONS_ID_TOKEN_REQUEST_TOKEN");
    expect(r.stderr).toContain("id-token: write");
    expect(env.proxy.calls).toEqual([]);
  });
});
