import { describe, expect, it } from "vitest";
import type { OidcClientRegistration, SsoOidcApi } from "../../src/aws/sso.js";
import { deviceSignIn, type SsoTokenDeps, ssoAccessToken } from "../../src/core/sso/token.js";
import type { SsoLogin, SsoToken } from "../../src/shared/credentials.js";
import { isRolectlError } from "../../src/shared/errors.js";

// core/sso/token against a scripted sso-oidc: which calls a cached, expiring or missing token
// leads to, what is written back, and how the device flow polls.

const NOW = Date.parse("2026-11-24T12:00:00Z");
const SESSION: SsoLogin = {
  session: "work",
  startUrl: "https://example.awsapps.com/start",
  region: "eu-west-1",
  scopes: [],
};
const LEGACY: SsoLogin = { startUrl: "https://example.awsapps.com/start", region: "eu-west-1", scopes: [] };
const iso = (ms: number) => `${new Date(ms).toISOString().slice(0, 19)}Z`;

const awsError = (name: string) => Object.assign(new Error(name), { name: `${name}Exception` });

function harness(opts: {
  token?: SsoToken;
  deviceAnswers?: string[];
  refresh?: "ok" | "InvalidGrant";
  noSignIn?: string;
  /** A sign-in failed at this time (in another process). */
  failedAt?: number;
}) {
  let now = NOW;
  let stored = opts.token;
  let failedAt = opts.failedAt;
  const calls: string[] = [];
  const sleeps: number[] = [];
  const shown: string[] = [];
  const answers = [...(opts.deviceAnswers ?? [])];
  const client: OidcClientRegistration = {
    clientId: "new-client",
    clientSecret: "new-secret",
    expiresAt: NOW + 90 * 86_400_000,
  };
  const oidc: SsoOidcApi = {
    registerClient: async () => {
      calls.push("RegisterClient");
      return client;
    },
    startDeviceAuthorization: async (c) => {
      calls.push(`StartDeviceAuthorization(${c.clientId})`);
      return {
        deviceCode: "dev",
        userCode: "ABCD-EFGH",
        verificationUri: "https://device",
        expiresInSeconds: 60,
        intervalSeconds: 2,
      };
    },
    tokenFromDeviceCode: async () => {
      calls.push("CreateToken(device_code)");
      const next = answers.shift() ?? "ok";
      if (next !== "ok") throw awsError(next);
      return { accessToken: "signed-in", expiresInSeconds: 3600, refreshToken: "refresh-1" };
    },
    tokenFromRefreshToken: async (c, refreshToken) => {
      calls.push(`CreateToken(refresh_token ${refreshToken} by ${c.clientId})`);
      if (opts.refresh === "InvalidGrant") throw awsError("InvalidGrant");
      return { accessToken: "refreshed", expiresInSeconds: 3600, refreshToken: "refresh-2" };
    },
  };
  const deps: SsoTokenDeps = {
    oidc,
    store: {
      read: () => stored,
      write: async (t) => {
        calls.push("write");
        stored = t;
      },
      failedAt: () => failedAt,
      markFailed: async () => {
        calls.push("markFailed");
        failedAt = now;
      },
    },
    lock: async () => {
      calls.push("lock");
      return { release: async () => void calls.push("unlock") };
    },
    now: () => now,
    sleep: async (ms) => {
      sleeps.push(ms);
      now += ms;
    },
    showSignIn: (p) => void shown.push(`${p.verificationUri} ${p.userCode}`),
    ...(opts.noSignIn ? { noSignIn: opts.noSignIn } : {}),
  };
  return { deps, calls, sleeps, shown, stored: () => stored };
}

const token = (over: Partial<SsoToken> = {}): SsoToken => ({
  startUrl: SESSION.startUrl,
  region: SESSION.region,
  accessToken: "cached",
  expiresAt: iso(NOW + 3_600_000),
  refreshToken: "refresh-0",
  clientId: "old-client",
  clientSecret: "old-secret",
  registrationExpiresAt: iso(NOW + 30 * 86_400_000),
  ...over,
});

describe("ssoAccessToken", () => {
  it("a token good for over 15 minutes is used as it is: no lock, no call", async () => {
    const h = harness({ token: token() });
    expect(await ssoAccessToken(SESSION, h.deps)).toBe("cached");
    expect(h.calls).toEqual([]);
  });

  it("an expired token of an [sso-session] is refreshed once, with the cached registration, and written back", async () => {
    const h = harness({ token: token({ expiresAt: iso(NOW - 1000) }), refresh: "ok" });
    expect(await ssoAccessToken(SESSION, h.deps)).toBe("refreshed");
    expect(h.calls).toEqual([
      "lock",
      "CreateToken(refresh_token refresh-0 by old-client)",
      "write",
      "unlock",
    ]);
    expect(h.stored()).toMatchObject({
      accessToken: "refreshed",
      refreshToken: "refresh-2",
      clientId: "old-client",
      registrationExpiresAt: iso(NOW + 30 * 86_400_000),
      expiresAt: iso(NOW + 3_600_000),
    });
  });

  it("a token with 10 minutes left is refreshed, and still used if the refresh fails", async () => {
    const h = harness({ token: token({ expiresAt: iso(NOW + 600_000) }), refresh: "InvalidGrant" });
    expect(await ssoAccessToken(SESSION, h.deps)).toBe("cached");
    expect(h.calls).toContain("CreateToken(refresh_token refresh-0 by old-client)");
  });

  it("no usable token where nobody can sign in: exit 4 naming `rolectl sso login --sso-session work`, no device flow", async () => {
    const h = harness({
      token: token({ expiresAt: iso(NOW - 1000) }),
      refresh: "InvalidGrant",
      noSignIn: "CI=true",
    });
    const err = await ssoAccessToken(SESSION, h.deps).catch((e: unknown) => e);
    expect(isRolectlError(err) && err.exitCode).toBe(4);
    expect((err as Error).message).toContain("sso-session work");
    expect((err as Error).message).toContain("CI=true");
    expect(isRolectlError(err) && err.hint).toContain("rolectl sso login --sso-session work");
    expect(h.calls.some((c) => c.startsWith("StartDeviceAuthorization"))).toBe(false);
  });

  it("a legacy profile (no [sso-session]) is never refreshed: it signs in again, reusing rolectl's registration", async () => {
    const h = harness({
      token: token({ expiresAt: iso(NOW - 1000), rolectlRegistration: "device_code eu-west-1 " }),
      deviceAnswers: ["ok"],
    });
    expect(await ssoAccessToken(LEGACY, h.deps)).toBe("signed-in");
    expect(h.calls.some((c) => c.includes("refresh_token"))).toBe(false);
    expect(h.calls).toContain("StartDeviceAuthorization(old-client)"); // the registration is reused
    expect(h.calls).not.toContain("RegisterClient");
  });

  it("a client the AWS CLI registered (PKCE, maybe other scopes) refreshes, but is never used to sign in", async () => {
    const h = harness({
      token: token({ expiresAt: iso(NOW - 1000) }),
      refresh: "InvalidGrant",
      deviceAnswers: ["ok"],
    });
    expect(await ssoAccessToken(SESSION, h.deps)).toBe("signed-in");
    expect(h.calls).toContain("CreateToken(refresh_token refresh-0 by old-client)");
    expect(h.calls).toContain("RegisterClient");
    expect(h.calls).toContain("StartDeviceAuthorization(new-client)");
    expect(h.stored()?.rolectlRegistration).toBe("device_code eu-west-1 ");
  });
});

describe("a failed sign-in", () => {
  it("is recorded, and callers that waited for it do not each start another", async () => {
    const first = harness({ deviceAnswers: ["AccessDenied"] });
    await expect(ssoAccessToken(SESSION, first.deps)).rejects.toMatchObject({ code: "sso_login_denied" });
    expect(first.calls).toContain("markFailed");
    // A caller that asked before the failure (and so waited on the lock): no flow of its own.
    const waiter = harness({ failedAt: NOW + 5_000 });
    const err = await ssoAccessToken(SESSION, waiter.deps).catch((e: unknown) => e);
    expect(isRolectlError(err) && err.code).toBe("sso_login_required");
    expect(isRolectlError(err) && err.hint).toContain("rolectl sso login --sso-session work");
    expect(waiter.calls.some((c) => c.startsWith("StartDeviceAuthorization") || c === "RegisterClient")).toBe(
      false,
    );
    // One that asks after an old failure signs in as usual.
    const later = harness({ failedAt: NOW - 60_000, deviceAnswers: ["ok"] });
    expect(await ssoAccessToken(SESSION, later.deps)).toBe("signed-in");
  });
});

describe("deviceSignIn", () => {
  it("registers, shows the code, polls at the interval, slows down by 5 s when told, and stores the token", async () => {
    const h = harness({ deviceAnswers: ["AuthorizationPending", "SlowDown", "AuthorizationPending", "ok"] });
    const t = await deviceSignIn(SESSION, undefined, h.deps);
    expect(h.calls.filter((c) => c !== "write")).toEqual([
      "RegisterClient",
      "StartDeviceAuthorization(new-client)",
      "CreateToken(device_code)",
      "CreateToken(device_code)",
      "CreateToken(device_code)",
      "CreateToken(device_code)",
    ]);
    expect(h.sleeps).toEqual([2000, 2000, 7000, 7000]);
    expect(h.shown).toEqual(["https://device ABCD-EFGH"]);
    expect(t).toMatchObject({
      accessToken: "signed-in",
      refreshToken: "refresh-1",
      clientId: "new-client",
      clientSecret: "new-secret",
      startUrl: SESSION.startUrl,
      region: "eu-west-1",
    });
    expect(h.stored()).toEqual(t);
  });

  it("a code nobody approves expires: exit 4 saying so", async () => {
    const h = harness({ deviceAnswers: Array(100).fill("AuthorizationPending") });
    const err = await deviceSignIn(SESSION, undefined, h.deps).catch((e: unknown) => e);
    expect(isRolectlError(err) && err.code).toBe("sso_login_expired");
    expect(h.sleeps.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(62_000);
  });

  it("a denied sign-in is exit 4", async () => {
    const h = harness({ deviceAnswers: ["AccessDenied"] });
    const err = await deviceSignIn(SESSION, undefined, h.deps).catch((e: unknown) => e);
    expect(isRolectlError(err) && err.code).toBe("sso_login_denied");
  });
});
