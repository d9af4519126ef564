import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { join } from "node:path";
import { GetRoleCredentialsCommand, SSOClient } from "@aws-sdk/client-sso";
import { CreateTokenCommand, SSOOIDCClient } from "@aws-sdk/client-sso-oidc";
import {
  AssumeRoleCommand,
  AssumeRoleWithWebIdentityCommand,
  GetCallerIdentityCommand,
  STSClient,
} from "@aws-sdk/client-sts";
import { describe, expect, it } from "vitest";
import { createRoleWithTrust, createTrustingRole, githubTrust, keysFor } from "../support/accounts.js";
import { runProgram } from "../support/cli.js";
import { useE2eEnv } from "../support/env.js";
import { decodeJwt, fingerprint } from "../support/fake-sso.js";

// The test proxy's fakes of what moto lacks (test/support/fake-sso.ts): IAM Identity Center's
// OIDC and portal APIs and GitHub Actions' token endpoint, driven by plain fetch, by the real
// AWS CLI v1 (botocore) and by the JS SDK v3's own SSO clients.

const env = useE2eEnv();
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";

const DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code";
const ACCOUNT = "111111111111";
/** The interpreter the AWS CLI runs on (the pyenv shim would look for pyenv under the sandbox HOME). */
const PYTHON = spawnSync("python3", ["-c", "import sys; print(sys.executable)"], {
  encoding: "utf8",
}).stdout.trim();

type Json = Record<string, unknown>;

async function call(
  method: string,
  path: string,
  options: { body?: unknown; bearer?: string; headers?: Record<string, string> } = {},
): Promise<{ status: number; errorType: string | null; body: Json }> {
  const res = await fetch(`${env.proxy.url}${path}`, {
    method,
    headers: {
      ...(options.body !== undefined ? { "content-type": "application/json" } : {}),
      ...(options.bearer ? { "x-amz-sso_bearer_token": options.bearer } : {}),
      ...options.headers,
    },
    ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
    redirect: "manual",
  });
  const text = await res.text();
  return {
    status: res.status,
    errorType: res.headers.get("x-amzn-errortype")?.split(":")[0] ?? null,
    body: text && res.headers.get("content-type")?.includes("json") ? (JSON.parse(text) as Json) : {},
  };
}

const register = async (extra: Json = { scopes: ["sso:account:access"] }) =>
  (await call("POST", "/client/register", { body: { clientName: "test", clientType: "public", ...extra } }))
    .body as {
    clientId: string;
    clientSecret: string;
    clientIdIssuedAt: number;
    clientSecretExpiresAt: number;
  };

const startDevice = async (
  client: { clientId: string; clientSecret: string },
  startUrl = env.proxy.sso.startUrl,
) => call("POST", "/device_authorization", { body: { ...client, startUrl } });

const poll = (client: { clientId: string; clientSecret: string }, deviceCode: string) =>
  call("POST", "/token", { body: { ...client, grantType: DEVICE_GRANT, deviceCode } });

const aws = (args: string[], extraEnv: Record<string, string> = {}) =>
  runProgram(PYTHON, ["-m", "awscli", ...args], {
    ...env.sandbox.env,
    AWS_DEFAULT_REGION: "us-east-1",
    ...extraEnv,
  });

/** Nothing the fakes handed out (tokens, secrets, codes) appears in what the proxy recorded. */
function expectNoSecretsRecorded(more: string[] = []): void {
  const recorded = JSON.stringify(env.proxy.calls);
  const secrets = [
    ...env.proxy.sso.issuedAccessTokens().flatMap((t) => [t.accessToken, t.refreshToken ?? ""]),
    ...more,
  ].filter((s) => s.length > 8);
  for (const s of secrets) expect(recorded.includes(s), "a secret was recorded").toBe(false);
}

describe("sso-oidc device flow and the portal, over plain HTTP", () => {
  it("register → start → pending → approve → token → refresh → role credentials → accounts → logout", async () => {
    const sso = env.proxy.sso;
    sso.enforceInterval = false;
    sso.addAccount(ACCOUNT, "Production", ["Admin", "ReadOnly"], "prod@example.com");
    sso.addAccounts(44);

    const client = await register();
    expect(client.clientId).toBeTruthy();
    expect(client.clientSecretExpiresAt - client.clientIdIssuedAt).toBe(90 * 86400);
    expect(client.clientIdIssuedAt).toBeLessThan(1e11); // epoch seconds

    const start = await startDevice(client);
    expect(start.status).toBe(200);
    const d = start.body as {
      deviceCode: string;
      userCode: string;
      verificationUriComplete: string;
      interval: number;
    };
    expect(d).toMatchObject({ expiresIn: 600, interval: 1, verificationUri: `${env.proxy.url}/device` });
    expect(d.userCode).toMatch(/^[A-Z]{4}-[A-Z]{4}$/);
    expect(d.verificationUriComplete).toBe(`${env.proxy.url}/device?user_code=${d.userCode}`);
    expect(sso.pendingUserCodes()).toEqual([d.userCode]);

    const pending = await poll(client, d.deviceCode);
    expect(pending).toMatchObject({
      status: 400,
      errorType: "AuthorizationPendingException",
      body: { error: "authorization_pending" },
    });
    expect(sso.approve()).toBe(d.userCode);
    const token = await poll(client, d.deviceCode);
    expect(token.status).toBe(200);
    const t = token.body as {
      accessToken: string;
      refreshToken: string;
      expiresIn: number;
      tokenType: string;
    };
    expect(t).toMatchObject({ tokenType: "Bearer", expiresIn: 3600 });
    expect(t.refreshToken).toBeTruthy(); // registered with scopes
    expect((await poll(client, d.deviceCode)).errorType).toBe("InvalidGrantException"); // used

    // refresh: a new access token and a new refresh token; the old refresh token is spent
    const refreshed = await call("POST", "/token", {
      body: { ...client, grantType: "refresh_token", refreshToken: t.refreshToken },
    });
    const r = refreshed.body as { accessToken: string; refreshToken: string };
    expect(refreshed.status).toBe(200);
    expect(r.accessToken).not.toBe(t.accessToken);
    expect(r.refreshToken).not.toBe(t.refreshToken);
    expect(
      (
        await call("POST", "/token", {
          body: { ...client, grantType: "refresh_token", refreshToken: t.refreshToken },
        })
      ).errorType,
    ).toBe("InvalidGrantException");
    expect(sso.stats()).toMatchObject({
      deviceAuthorizations: 1,
      logins: 1,
      refreshes: 1,
      pendingAnswers: 1,
    });
    expect(sso.issuedAccessTokens().map((x) => x.grantType)).toEqual([DEVICE_GRANT, "refresh_token"]);

    // role credentials: real moto keys acting in the account
    const creds = await call("GET", `/federation/credentials?account_id=${ACCOUNT}&role_name=Admin`, {
      bearer: r.accessToken,
    });
    expect(creds.status).toBe(200);
    const rc = (
      creds.body as {
        roleCredentials: {
          accessKeyId: string;
          secretAccessKey: string;
          sessionToken: string;
          expiration: number;
        };
      }
    ).roleCredentials;
    expect(rc.expiration).toBeGreaterThan(Date.now() + 3000_000); // epoch milliseconds
    expect(rc.expiration).toBeLessThan(Date.now() + 3700_000);
    const sts = new STSClient({
      region: "us-east-1",
      endpoint: env.proxy.url,
      credentials: {
        accessKeyId: rc.accessKeyId,
        secretAccessKey: rc.secretAccessKey,
        sessionToken: rc.sessionToken,
      },
      maxAttempts: 1,
    });
    const me = await sts.send(new GetCallerIdentityCommand({}));
    expect(me.Account).toBe(ACCOUNT);
    expect(me.Arn).toBe(`arn:aws:sts::${ACCOUNT}:assumed-role/Admin/fake.user@example.com`);
    expect(
      (
        await call("GET", `/federation/credentials?account_id=${ACCOUNT}&role_name=Billing`, {
          bearer: r.accessToken,
        })
      ).errorType,
    ).toBe("ForbiddenException");

    // accounts, paginated (default page 20; max_result up to 100)
    const ids: string[] = [];
    let next: string | undefined;
    do {
      const page = await call(
        "GET",
        `/assignment/accounts?max_result=20${next ? `&next_token=${next}` : ""}`,
        {
          bearer: r.accessToken,
        },
      );
      const b = page.body as { accountList: { accountId: string }[]; nextToken?: string };
      ids.push(...b.accountList.map((a) => a.accountId));
      next = b.nextToken;
    } while (next);
    expect(ids).toHaveLength(45);
    expect(new Set(ids).size).toBe(45);
    expect(env.proxy.callsOf("ListAccounts")).toHaveLength(3);
    const roles = await call("GET", `/assignment/roles?account_id=${ACCOUNT}`, { bearer: r.accessToken });
    expect(roles.body).toEqual({
      roleList: [
        { roleName: "Admin", accountId: ACCOUNT },
        { roleName: "ReadOnly", accountId: ACCOUNT },
      ],
    });

    // logout ends the sign-in: its access tokens and refresh token stop working
    expect((await call("POST", "/logout", { bearer: r.accessToken })).status).toBe(200);
    const after = await call("GET", `/federation/credentials?account_id=${ACCOUNT}&role_name=Admin`, {
      bearer: r.accessToken,
    });
    expect(after).toMatchObject({ status: 401, errorType: "UnauthorizedException" });
    expect(
      (
        await call("POST", "/token", {
          body: { ...client, grantType: "refresh_token", refreshToken: r.refreshToken },
        })
      ).errorType,
    ).toBe("InvalidGrantException");

    // recorded as sso-oidc / sso calls, with no secret in them
    expect(env.proxy.callsOf("RegisterClient")[0]).toMatchObject({
      service: "sso-oidc",
      answeredBy: "proxy",
      status: 200,
      params: { clientName: "test", clientType: "public", scopes: "sso:account:access" },
    });
    expect(env.proxy.callsOf("CreateToken").map((c) => [c.params.grantType, c.status])).toEqual([
      [DEVICE_GRANT, 400],
      [DEVICE_GRANT, 200],
      [DEVICE_GRANT, 400],
      ["refresh_token", 200],
      ["refresh_token", 400],
      ["refresh_token", 400],
    ]);
    expect(env.proxy.callsOf("GetRoleCredentials")[0]?.params).toEqual({
      accountId: ACCOUNT,
      roleName: "Admin",
    });
    expect(env.proxy.callsOf("Logout")[0]?.service).toBe("sso");
    expect(env.proxy.writeCalls()).toEqual([]);
    expectNoSecretsRecorded([client.clientSecret, d.deviceCode]);
  });

  it("slow down, expiry, denial, wrong start URL and bad clients", async () => {
    const sso = env.proxy.sso;
    const client = await register();
    expect((await startDevice(client, "https://other.awsapps.com/start")).errorType).toBe(
      "InvalidRequestException",
    );
    expect((await startDevice({ ...client, clientSecret: "nope" })).status).toBe(401);

    const d = (await startDevice(client)).body as { deviceCode: string; userCode: string };
    expect((await poll(client, d.deviceCode)).errorType).toBe("AuthorizationPendingException");
    // polled again at once: slow down, and the interval grows by 5 s (RFC 8628)
    expect(await poll(client, d.deviceCode)).toMatchObject({
      errorType: "SlowDownException",
      body: { error: "slow_down" },
    });
    await new Promise((r) => setTimeout(r, 1050));
    expect((await poll(client, d.deviceCode)).errorType).toBe("SlowDownException");
    expect(sso.stats().slowDowns).toBe(2);

    sso.expireDeviceCodes();
    expect(await poll(client, d.deviceCode)).toMatchObject({
      errorType: "ExpiredTokenException",
      body: { error: "expired_token" },
    });

    sso.enforceInterval = false;
    const denied = (await startDevice(client)).body as { deviceCode: string };
    sso.deny();
    expect((await poll(client, denied.deviceCode)).errorType).toBe("AccessDeniedException");
    expect((await poll(client, "no-such-code")).errorType).toBe("InvalidGrantException");
    expect((await call("POST", "/token", { body: { ...client, grantType: "password" } })).errorType).toBe(
      "UnsupportedGrantTypeException",
    );
    sso.expireClients();
    expect(await poll(client, denied.deviceCode)).toMatchObject({
      status: 401,
      errorType: "InvalidClientException",
    });
    expect(() => sso.approve()).toThrow(/no pending/);
  });

  it("autoApprove, the verification page, and a legacy client without refresh tokens", async () => {
    const sso = env.proxy.sso;
    sso.enforceInterval = false;
    sso.autoApprove = true;
    sso.autoApproveDelayMs = 600;
    const client = await register({}); // no scopes: a legacy sso_start_url profile
    const d = (await startDevice(client)).body as { deviceCode: string };
    expect((await poll(client, d.deviceCode)).errorType).toBe("AuthorizationPendingException");
    expect((await poll(client, d.deviceCode)).errorType).toBe("AuthorizationPendingException");
    await new Promise((r) => setTimeout(r, 700));
    const token = await poll(client, d.deviceCode);
    expect(token.status).toBe(200);
    expect(token.body.refreshToken).toBeUndefined();

    sso.autoApprove = false;
    const d2 = (await startDevice(client)).body as { deviceCode: string; verificationUriComplete: string };
    const page = await fetch(d2.verificationUriComplete); // what a browser opens
    expect(page.status).toBe(200);
    await page.text();
    expect((await poll(client, d2.deviceCode)).status).toBe(200);
    expect(sso.stats()).toMatchObject({ verificationVisits: 1, logins: 2, refreshes: 0 });
    expect(env.proxy.callsOf("VerifyDevice")[0]?.service).toBe("sso-oidc");
  });

  it("authorization code with PKCE, through a loopback redirect", async () => {
    const sso = env.proxy.sso;
    const got: URLSearchParams[] = [];
    const callback = createServer((req, res) => {
      got.push(new URL(req.url ?? "/", "http://x").searchParams);
      res.end("signed in");
    });
    await new Promise<void>((r) => callback.listen(0, "127.0.0.1", r));
    const port = (callback.address() as { port: number }).port;
    try {
      const client = await register({
        scopes: ["sso:account:access"],
        grantTypes: ["authorization_code", "refresh_token"],
        redirectUris: ["http://127.0.0.1/oauth/callback"],
        issuerUrl: sso.startUrl,
      });
      const verifier = "v".repeat(20) + Math.random().toString(36).slice(2);
      const challenge = createHash("sha256").update(verifier).digest("base64url");
      const redirectUri = `http://127.0.0.1:${port}/oauth/callback`;
      const authorize = `/authorize?${new URLSearchParams({
        response_type: "code",
        client_id: client.clientId,
        redirect_uri: redirectUri,
        state: "st-1",
        code_challenge_method: "S256",
        code_challenge: challenge,
        scopes: "sso:account:access",
      })}`;
      expect((await call("GET", authorize)).status).toBe(200); // the page waits for the person
      expect(await sso.approveAuthorization()).toBe(200);
      expect(got[0]?.get("state")).toBe("st-1");
      const code = got[0]?.get("code") ?? "";
      const exchange = (codeVerifier: string) =>
        call("POST", "/token", {
          body: { ...client, grantType: "authorization_code", code, redirectUri, codeVerifier },
        });
      expect((await exchange("wrong-verifier")).errorType).toBe("InvalidGrantException");
      const token = await exchange(verifier);
      expect(token.status).toBe(200);
      expect(token.body.refreshToken).toBeTruthy();
      expect((await exchange(verifier)).errorType).toBe("InvalidGrantException"); // used

      sso.autoApprove = true;
      const auto = await call("GET", authorize.replace("st-1", "st-2"));
      expect(auto.status).toBe(302);
      // a client registered without authorization_code may not use it
      const plain = await register();
      expect(
        (
          await call("POST", "/token", {
            body: { ...plain, grantType: "authorization_code", code, redirectUri },
          })
        ).errorType,
      ).toBe("UnauthorizedClientException");
      expectNoSecretsRecorded([client.clientSecret, code, verifier]);
    } finally {
      callback.close();
    }
  });

  it("1,000 accounts: added in a moment, listed in pages of 100", async () => {
    const started = performance.now();
    const added = env.proxy.sso.addAccounts(1000);
    expect(performance.now() - started).toBeLessThan(100);
    expect(added[999]).toMatchObject({ accountId: "100000001000", accountName: "account-1000" });
    const { accessToken } = env.proxy.sso.mintToken();
    let next: string | undefined;
    let count = 0;
    do {
      const page = await call(
        "GET",
        `/assignment/accounts?max_result=100${next ? `&next_token=${next}` : ""}`,
        {
          bearer: accessToken,
        },
      );
      const b = page.body as { accountList: unknown[]; nextToken?: string };
      count += b.accountList.length;
      next = b.nextToken;
    } while (next);
    expect(count).toBe(1000);
    expect(env.proxy.callsOf("ListAccounts")).toHaveLength(10);
    expect(
      (await call("GET", "/assignment/accounts?max_result=101", { bearer: accessToken })).errorType,
    ).toBe("InvalidRequestException");
  });

  it("faults injected on the fakes answer in the services' own JSON errors", async () => {
    const sso = env.proxy.sso;
    sso.addAccount(ACCOUNT, "Production", ["Admin"]);
    const minted = sso.mintToken();
    const client = { clientId: minted.clientId, clientSecret: minted.clientSecret };
    env.proxy.inject("CreateToken", { kind: "throttle" }, 1);
    env.proxy.inject("GetRoleCredentials", { kind: "expiredToken" }, 1);
    env.proxy.inject("ListAccounts", { kind: "throttle" }, 1);
    env.proxy.inject("GitHubToken", { kind: "error500" }, 1);
    const refresh = () =>
      call("POST", "/token", {
        body: { ...client, grantType: "refresh_token", refreshToken: minted.refreshToken },
      });
    expect(await refresh()).toMatchObject({
      status: 400,
      errorType: "SlowDownException",
      body: { error: "slow_down" },
    });
    const creds = `/federation/credentials?account_id=${ACCOUNT}&role_name=Admin`;
    expect(await call("GET", creds, { bearer: minted.accessToken })).toMatchObject({
      status: 401,
      errorType: "UnauthorizedException",
    });
    expect((await call("GET", "/assignment/accounts", { bearer: minted.accessToken })).status).toBe(429);
    expect((await call("GET", "/github-actions/token")).status).toBe(500);
    expect(env.proxy.calls.map((c) => c.answeredBy)).toEqual([
      "throttle",
      "expiredToken",
      "throttle",
      "error500",
    ]);

    // the fake acts, then the answer is lost: the refresh happened, the client never saw it
    env.proxy.inject("CreateToken", { kind: "lostAnswer" }, 1);
    await expect(refresh()).rejects.toThrow();
    expect(sso.stats().refreshes).toBe(1);
    expect((await refresh()).errorType).toBe("InvalidGrantException"); // that refresh token was spent
  });
});

describe("portal credentials as the source of a role chain", () => {
  it("reach a cross-account role with an external id in strict mode", async () => {
    const DEV = "222222222222";
    env.proxy.sso.addAccount(DEV, "Development", ["Developer"]);
    const { accessToken } = env.proxy.sso.mintToken();
    const portal = new SSOClient({ region: "us-east-1", endpoint: env.proxy.url, maxAttempts: 1 });
    const rc = (
      await portal.send(new GetRoleCredentialsCommand({ accessToken, accountId: DEV, roleName: "Developer" }))
    ).roleCredentials;
    const roleArn = await createTrustingRole(env.moto.url, await keysFor(env.moto.url, ACCOUNT), {
      name: "BizCorpRole",
      trustedAccount: DEV,
      externalId: "Ext-1",
    });
    env.proxy.strict = true;
    const sts = new STSClient({
      region: "us-east-1",
      endpoint: env.proxy.url,
      maxAttempts: 1,
      credentials: {
        accessKeyId: rc?.accessKeyId ?? "",
        secretAccessKey: rc?.secretAccessKey ?? "",
        sessionToken: rc?.sessionToken ?? "",
      },
    });
    const assume = (ExternalId?: string) =>
      sts.send(
        new AssumeRoleCommand({
          RoleArn: roleArn,
          RoleSessionName: "chain",
          ...(ExternalId ? { ExternalId } : {}),
        }),
      );
    await expect(assume()).rejects.toMatchObject({ name: "AccessDenied" });
    const out = await assume("Ext-1");
    expect(out.AssumedRoleUser?.Arn).toBe(`arn:aws:sts::${ACCOUNT}:assumed-role/BizCorpRole/chain`);
    expect(env.proxy.callsOf("AssumeRole").map((c) => c.answeredBy)).toEqual(["strict", "moto"]);
  });
});

describe("the JS SDK v3 (its own sso-oidc and sso clients) parses the fakes' answers", () => {
  it("CreateToken and GetRoleCredentials, answers and exceptions", async () => {
    const sso = env.proxy.sso;
    sso.enforceInterval = false;
    sso.addAccount(ACCOUNT, "Production", ["Admin"]);
    const oidcClient = new SSOOIDCClient({ region: "us-east-1", endpoint: env.proxy.url, maxAttempts: 1 });
    const portal = new SSOClient({ region: "us-east-1", endpoint: env.proxy.url, maxAttempts: 1 });
    const client = await register();
    const d = (await startDevice(client)).body as { deviceCode: string };
    const create = () =>
      oidcClient.send(
        new CreateTokenCommand({ ...client, grantType: DEVICE_GRANT, deviceCode: d.deviceCode }),
      );
    await expect(create()).rejects.toMatchObject({
      name: "AuthorizationPendingException",
      error: "authorization_pending",
      $metadata: { httpStatusCode: 400 },
    });
    sso.approve();
    const token = await create();
    expect(token).toMatchObject({ tokenType: "Bearer", expiresIn: 3600 });
    await expect(
      oidcClient.send(
        new CreateTokenCommand({ ...client, grantType: "refresh_token", refreshToken: "nope" }),
      ),
    ).rejects.toMatchObject({ name: "InvalidGrantException" });

    const out = await portal.send(
      new GetRoleCredentialsCommand({
        accessToken: token.accessToken,
        accountId: ACCOUNT,
        roleName: "Admin",
      }),
    );
    expect(out.roleCredentials?.accessKeyId).toBeTruthy();
    expect(out.roleCredentials?.expiration).toBeGreaterThan(Date.now());
    await expect(
      portal.send(
        new GetRoleCredentialsCommand({ accessToken: "nope", accountId: ACCOUNT, roleName: "Admin" }),
      ),
    ).rejects.toMatchObject({
      name: "UnauthorizedException",
      message: "Session token not found or invalid",
      $metadata: { httpStatusCode: 401 },
    });
    // the SDK sends no signature: recorded under the fakes' names, not "unknown"
    expect(env.proxy.calls.map((c) => `${c.service}:${c.action}`)).toEqual([
      "sso-oidc:RegisterClient",
      "sso-oidc:StartDeviceAuthorization",
      "sso-oidc:CreateToken",
      "sso-oidc:CreateToken",
      "sso-oidc:CreateToken",
      "sso:GetRoleCredentials",
      "sso:GetRoleCredentials",
    ]);
    expectNoSecretsRecorded([client.clientSecret, d.deviceCode]);
  });
});

describe("the AWS CLI v1 (botocore)", () => {
  const session = (name: string, startUrl: string) => `[sso-session ${name}]
sso_start_url = ${startUrl}
sso_region = us-east-1
sso_registration_scopes = sso:account:access
`;
  const profile = (name: string, sessionName: string, account: string, role: string) => `[profile ${name}]
sso_session = ${sessionName}
sso_account_id = ${account}
sso_role_name = ${role}
region = us-east-1
`;

  it("gets credentials for [sso-session] profiles from cached tokens, refreshing an expiring one", async () => {
    const sso = env.proxy.sso;
    const STAGING = "222222222222";
    sso.addAccount(ACCOUNT, "Production", ["Admin"]);
    sso.addAccount(STAGING, "Staging", ["ReadOnly"]);
    env.sandbox.writeConfig(
      [
        session("corp", sso.startUrl),
        session("corp2", sso.startUrl),
        session("corp3", sso.startUrl),
        profile("p", "corp", ACCOUNT, "Admin"),
        profile("q", "corp2", STAGING, "ReadOnly"),
        profile("r", "corp3", ACCOUNT, "Admin"),
      ].join("\n"),
    );
    const cacheDir = join(env.sandbox.home, ".aws", "sso", "cache");
    mkdirSync(cacheDir, { recursive: true });
    const tokenFile = (name: string) =>
      join(cacheDir, `${createHash("sha1").update(name).digest("hex")}.json`);
    // corp: a valid token; corp2: one expiring within botocore's 15-minute window; corp3: an
    // expired one whose refresh token the service does not know
    const valid = sso.mintToken();
    const expiring = sso.mintToken({ expiresInSeconds: 60 });
    const dead = sso.mintToken({ expiresInSeconds: -60 });
    writeFileSync(tokenFile("corp"), sso.tokenCacheJson(valid), { mode: 0o600 });
    writeFileSync(tokenFile("corp2"), sso.tokenCacheJson(expiring), { mode: 0o600 });
    const deadJson = sso.tokenCacheJson({ ...dead, refreshToken: "unknown-refresh-token" });
    writeFileSync(tokenFile("corp3"), deadJson, { mode: 0o600 });

    const identity = (p: string) => aws(["sts", "get-caller-identity", "--profile", p, "--output", "json"]);
    const [p, q, r] = await Promise.all([identity("p"), identity("q"), identity("r")]);
    expect(p.stderr).toBe("");
    expect(JSON.parse(p.stdout)).toMatchObject({
      Account: ACCOUNT,
      Arn: `arn:aws:sts::${ACCOUNT}:assumed-role/Admin/fake.user@example.com`,
    });
    expect(q.stderr).toBe("");
    expect(JSON.parse(q.stdout).Account).toBe(STAGING);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/expired|sso login/i);

    expect(
      env.proxy
        .callsOf("GetRoleCredentials")
        .map((c) => c.params.accountId)
        .sort(),
    ).toEqual([ACCOUNT, STAGING]);
    // the GetCallerIdentity calls were signed with the portal's credentials
    for (const c of env.proxy.callsOf("GetCallerIdentity"))
      expect(c.accessKeyId).not.toBe("AKIAIOSFODNN7DEFAULT");
    // one refresh for corp2, one refused for corp3
    expect(
      env.proxy
        .callsOf("CreateToken")
        .map((c) => `${c.params.grantType} ${c.status}`)
        .sort(),
    ).toEqual(["refresh_token 200", "refresh_token 400"]);
    expect(sso.stats().refreshes).toBe(1);
    // botocore wrote the refreshed token back, with the new refresh token
    const written = JSON.parse(readFileSync(tokenFile("corp2"), "utf8")) as Record<string, string>;
    const refreshed = sso.issuedAccessTokens().find((t) => t.grantType === "refresh_token");
    expect(written.accessToken).toBe(refreshed?.accessToken);
    expect(written.refreshToken).toBe(refreshed?.refreshToken);
    expect(written.registrationExpiresAt).toBeTruthy();
    expect(sso.isValidAccessToken(written.accessToken ?? "")).toBe(true);
    expect(readFileSync(tokenFile("corp3"), "utf8")).toBe(deadJson);
    expectNoSecretsRecorded([valid.clientSecret, expiring.clientSecret]);
  });

  it("`aws sso-oidc` / `aws sso` and botocore's clients parse the fakes' answers and errors", async () => {
    const sso = env.proxy.sso;
    sso.enforceInterval = false;
    sso.autoApprove = true; // the first poll is pending, the next gets the token
    sso.addAccounts(45);
    // CLI v1 fetches parameters that look like URLs (--start-url) unless told not to
    env.sandbox.writeConfig("[default]\nregion = us-east-1\ncli_follow_urlparam = false\n");
    const client = await register();
    const pendingCode = ((await startDevice(client)).body as { deviceCode: string }).deviceCode;
    const { accessToken } = sso.mintToken();
    // botocore's own clients (what the CLI runs), one interpreter for every call
    const script = `
import json, sys, botocore.session
from botocore.exceptions import ClientError
a = json.loads(sys.argv[1])
s = botocore.session.get_session()
oidc = s.create_client("sso-oidc", region_name="us-east-1", endpoint_url=a["endpoint"])
portal = s.create_client("sso", region_name="us-east-1", endpoint_url=a["endpoint"])
out = {}
def run(name, fn):
    try:
        r = fn()
        r.pop("ResponseMetadata", None)
        out[name] = r
    except ClientError as e:
        out[name] = {"code": e.response["Error"]["Code"], "status": e.response["ResponseMetadata"]["HTTPStatusCode"],
                     "message": e.response["Error"].get("Message"), "error": e.response.get("error")}
reg = oidc.register_client(clientName="botocore", clientType="public", scopes=["sso:account:access"])
out["register"] = {k: type(v).__name__ for k, v in reg.items() if k != "ResponseMetadata"}
c = {"clientId": reg["clientId"], "clientSecret": reg["clientSecret"]}
dev = oidc.start_device_authorization(startUrl=a["startUrl"], **c)
grant = "urn:ietf:params:oauth:grant-type:device_code"
run("pending", lambda: oidc.create_token(grantType=grant, deviceCode=dev["deviceCode"], **c))
run("token", lambda: oidc.create_token(grantType=grant, deviceCode=dev["deviceCode"], **c))
run("refresh", lambda: oidc.create_token(grantType="refresh_token", refreshToken=out["token"]["refreshToken"], **c))
run("badRefresh", lambda: oidc.create_token(grantType="refresh_token", refreshToken="nope", **c))
run("wrongUrl", lambda: oidc.start_device_authorization(startUrl="https://elsewhere.awsapps.com/start", **c))
run("badClient", lambda: oidc.start_device_authorization(startUrl=a["startUrl"], clientId="x", clientSecret="y"))
acct = a["account"]
run("creds", lambda: portal.get_role_credentials(accessToken=out["refresh"]["accessToken"], accountId=acct, roleName="ReadOnlyAccess"))
run("forbidden", lambda: portal.get_role_credentials(accessToken=out["refresh"]["accessToken"], accountId=acct, roleName="Nope"))
run("unauthorized", lambda: portal.get_role_credentials(accessToken="nope", accountId=acct, roleName="ReadOnlyAccess"))
pages = portal.get_paginator("list_accounts").paginate(accessToken=out["refresh"]["accessToken"], PaginationConfig={"PageSize": 20})
out["accounts"] = sum(len(p["accountList"]) for p in pages)
run("roles", lambda: portal.list_account_roles(accessToken=out["refresh"]["accessToken"], accountId=acct))
run("logout", lambda: portal.logout(accessToken=out["refresh"]["accessToken"]))
run("afterLogout", lambda: portal.list_accounts(accessToken=out["refresh"]["accessToken"]))
for k in ("token", "refresh"):
    if "accessToken" in out[k]: out[k] = sorted(out[k].keys())
out["creds"] = {k: type(v).__name__ for k, v in out["creds"].get("roleCredentials", {}).items()}
print(json.dumps(out))
`;
    const account = "100000000001";
    const [py, pending, accounts] = await Promise.all([
      runProgram(
        PYTHON,
        ["-c", script, JSON.stringify({ endpoint: env.proxy.url, startUrl: sso.startUrl, account })],
        env.sandbox.env,
      ),
      aws([
        "sso-oidc",
        "create-token",
        "--client-id",
        client.clientId,
        "--client-secret",
        client.clientSecret,
        "--grant-type",
        DEVICE_GRANT,
        "--device-code",
        pendingCode,
      ]),
      aws(["sso", "list-accounts", "--access-token", accessToken, "--page-size", "20"]),
    ]);
    // the real CLI: a pending code is an AuthorizationPendingException; pagination follows nextToken
    expect(pending.code).not.toBe(0);
    expect(pending.stderr).toContain(
      "An error occurred (AuthorizationPendingException) when calling the CreateToken operation",
    );
    expect(accounts.stderr).toBe("");
    expect((JSON.parse(accounts.stdout) as { accountList: unknown[] }).accountList).toHaveLength(45);

    expect(py.stderr).toBe("");
    const out = JSON.parse(py.stdout) as Record<string, unknown>;
    expect(out.register).toEqual({
      clientId: "str",
      clientSecret: "str",
      clientIdIssuedAt: "int",
      clientSecretExpiresAt: "int",
    });
    expect(out.pending).toMatchObject({
      code: "AuthorizationPendingException",
      status: 400,
      error: "authorization_pending",
    });
    expect(out.token).toEqual(["accessToken", "expiresIn", "refreshToken", "tokenType"]);
    expect(out.refresh).toEqual(["accessToken", "expiresIn", "refreshToken", "tokenType"]);
    expect(out.badRefresh).toMatchObject({ code: "InvalidGrantException", status: 400 });
    expect(out.wrongUrl).toMatchObject({ code: "InvalidRequestException", status: 400 });
    expect(out.badClient).toMatchObject({ code: "InvalidClientException", status: 401 });
    expect(out.creds).toEqual({
      accessKeyId: "str",
      secretAccessKey: "str",
      sessionToken: "str",
      expiration: "int",
    });
    expect(out.forbidden).toMatchObject({ code: "ForbiddenException", status: 403, message: "No access" });
    expect(out.unauthorized).toMatchObject({
      code: "UnauthorizedException",
      status: 401,
      message: "Session token not found or invalid",
    });
    expect(out.accounts).toBe(45);
    expect(out.roles).toEqual({
      roleList: [
        { roleName: "AdministratorAccess", accountId: account },
        { roleName: "ReadOnlyAccess", accountId: account },
      ],
    });
    expect(out.logout).toEqual({});
    expect(out.afterLogout).toMatchObject({ code: "UnauthorizedException", status: 401 });
    // 3 pages each for the CLI and the paginator, then the one refused after logout
    expect(
      env.proxy
        .callsOf("ListAccounts")
        .map((x) => x.params.maxResults ?? "-")
        .sort(),
    ).toEqual([...Array(6).fill("20"), "-"].sort());
    expectNoSecretsRecorded([client.clientSecret, pendingCode]);
  });
});
describe("GitHub Actions' OIDC token endpoint and web identity", () => {
  it("hands a JWT to the request token's bearer; STS (moto) takes it; strict mode checks it", async () => {
    const gh = env.proxy.github;
    expect(gh.url).toBe(`${env.proxy.url}/github-actions/token?api-version=2.0`);
    const get = (bearer?: string, audience = "sts.amazonaws.com") =>
      fetch(`${gh.url}&audience=${encodeURIComponent(audience)}`, {
        headers: bearer ? { authorization: `bearer ${bearer}` } : {},
      });
    expect((await get()).status).toBe(401);
    expect((await get("wrong")).status).toBe(401);
    const res = await get(gh.requestToken);
    expect(res.status).toBe(200);
    const { value } = (await res.json()) as { value: string };
    const { header, payload } = decodeJwt(value);
    expect(header).toMatchObject({ alg: "RS256", typ: "JWT" });
    expect(payload).toMatchObject({
      iss: "https://token.actions.githubusercontent.com",
      aud: "sts.amazonaws.com",
      sub: "repo:org/repo:ref:refs/heads/main",
      repository: "org/repo",
    });
    expect(payload.exp as number).toBeGreaterThan(Date.now() / 1000);
    expect(env.proxy.callsOf("GitHubToken").map((c) => [c.service, c.params.audience, c.status])).toEqual([
      ["github", "sts.amazonaws.com", 401],
      ["github", "sts.amazonaws.com", 401],
      ["github", "sts.amazonaws.com", 200],
    ]);

    // moto's AssumeRoleWithWebIdentity takes any token, for any role (even a missing one)
    const sts = new STSClient({ region: "us-east-1", endpoint: env.proxy.url, maxAttempts: 1 });
    const assume = (token: string, roleArn = `arn:aws:iam::${ACCOUNT}:role/Deploy`) =>
      sts.send(
        new AssumeRoleWithWebIdentityCommand({
          RoleArn: roleArn,
          RoleSessionName: "gha",
          WebIdentityToken: token,
        }),
      );
    const out = await assume(value);
    expect(out.Credentials?.AccessKeyId).toBeTruthy();
    const as = new STSClient({
      region: "us-east-1",
      endpoint: env.proxy.url,
      credentials: {
        accessKeyId: out.Credentials?.AccessKeyId ?? "",
        secretAccessKey: out.Credentials?.SecretAccessKey ?? "",
        sessionToken: out.Credentials?.SessionToken ?? "",
      },
    });
    expect((await as.send(new GetCallerIdentityCommand({}))).Arn).toBe(
      `arn:aws:sts::${ACCOUNT}:assumed-role/Deploy/gha`,
    );
    await expect(assume("not a jwt")).resolves.toBeTruthy();
    const recorded = env.proxy.callsOf("AssumeRoleWithWebIdentity");
    expect(recorded[0]).toMatchObject({ service: "sts", params: { WebIdentityToken: fingerprint(value) } });
    expect(JSON.stringify(env.proxy.calls)).not.toContain(value);

    // strict: the token must be a JWT, unexpired, and match the role's trust policy
    await createRoleWithTrust(env.moto.url, "GhaDeploy", [githubTrust()]);
    const roleArn = "arn:aws:iam::123456789012:role/GhaDeploy";
    env.proxy.strict = true;
    const token = async () => ((await (await get(gh.requestToken)).json()) as { value: string }).value;
    await expect(assume(await token(), roleArn)).resolves.toBeTruthy();
    gh.subject = "repo:evil/repo:ref:refs/heads/main";
    await expect(assume(await token(), roleArn)).rejects.toMatchObject({ name: "AccessDenied" });
    gh.subject = "repo:org/repo:ref:refs/heads/main";
    await expect(assume(await token(), `arn:aws:iam::123456789012:role/Missing`)).rejects.toMatchObject({
      name: "AccessDenied",
    });
    await expect(assume(await token(), roleArn.replace("GhaDeploy", "GhaDeploy"))).resolves.toBeTruthy();
    const wrongAudience = ((await (await get(gh.requestToken, "sigstore")).json()) as { value: string })
      .value;
    await expect(assume(wrongAudience, roleArn)).rejects.toMatchObject({ name: "AccessDenied" });
    gh.tokenSeconds = -60;
    await expect(assume(await token(), roleArn)).rejects.toMatchObject({ name: "ExpiredTokenException" });
    await expect(assume("not a jwt", roleArn)).rejects.toMatchObject({
      name: "InvalidIdentityTokenException",
    });
    expect(env.proxy.callsOf("AssumeRoleWithWebIdentity").map((c) => c.answeredBy)).toEqual([
      "moto",
      "moto",
      "moto",
      "strict",
      "strict",
      "moto",
      "strict",
      "strict",
      "strict",
    ]);
    expect(gh.issuedTokens().map((t) => t.audience)).toContain("sigstore");
  });
});
