import type { DeviceAuthorization, OidcClientRegistration, SsoOidcApi } from "../../aws/sso.js";
import { tokenTime } from "../../cache/sso-token-cache.js";
import type { Lock } from "../../fs/lock.js";
import type { SsoLogin, SsoToken } from "../../shared/credentials.js";
import { authError, awsErrorName, isRolectlError } from "../../shared/errors.js";

// An IAM Identity Center access token, from the shared token cache when it is good, else by
// refreshing it, else (where a person can answer) by signing in with the device flow. All of
// it under one lock per session, so that thirty parallel callers make one refresh or one
// sign-in, not thirty browser tabs.

export interface TokenStore {
  read(): SsoToken | undefined;
  write(token: SsoToken): Promise<void>;
  /** When a sign-in last failed (expired, denied), as seen by every process. */
  failedAt?(): number | undefined;
  markFailed?(): Promise<void>;
}

export interface SignInPrompt {
  /** The page to open and the code to check there (the "complete" URL carries the code). */
  verificationUri: string;
  verificationUriComplete?: string;
  userCode: string;
}

export interface SsoTokenDeps {
  oidc: SsoOidcApi;
  store: TokenStore;
  /** Taken before refreshing or signing in; waiting callers then find the new token. */
  lock(): Promise<Lock>;
  now(): number;
  sleep(ms: number): Promise<void>;
  /** Shows the person where to sign in (and opens a browser where that makes sense). */
  showSignIn?(prompt: SignInPrompt): Promise<void> | void;
  /** Waiting for the person; called once per poll. */
  waiting?(secondsLeft: number): void;
  /** Why no sign-in may start here (no terminal, CI); absent when one may. */
  noSignIn?: string;
}

/** A token used with less than this left is refreshed first (botocore's window). */
const REFRESH_WINDOW_MS = 15 * 60_000;
/** Used as it is, even when refreshing failed, while at least this is left. */
const USABLE_MS = 60_000;

/** A sign-in as people name it: its [sso-session] (and start URL), or a legacy profile's start URL. */
export const loginName = (login: SsoLogin) =>
  login.session ? `sso-session ${login.session} (${login.startUrl})` : `start URL ${login.startUrl}`;
export const loginHint = (login: SsoLogin) =>
  `rolectl sso login ${login.session ? `--sso-session ${login.session}` : `--profile ${login.profile ?? "<profile>"}`}`;

const timeLeft = (t: SsoToken | undefined, now: number) => (t ? Date.parse(t.expiresAt) - now : -1);

/** What a registration rolectl made is for: it is reused only for the same sign-in. */
const registrationTag = (login: SsoLogin) => `device_code ${login.region} ${login.scopes.join(",")}`;

/** The cached client, for refreshing (any client) or for signing in (only one rolectl made for it). */
const registrationOf = (
  t: SsoToken | undefined,
  now: number,
  signingInTo?: SsoLogin,
): OidcClientRegistration | undefined =>
  t?.clientId &&
  t.clientSecret &&
  t.registrationExpiresAt &&
  Date.parse(t.registrationExpiresAt) - now > USABLE_MS &&
  (!signingInTo || t.rolectlRegistration === registrationTag(signingInTo))
    ? { clientId: t.clientId, clientSecret: t.clientSecret, expiresAt: Date.parse(t.registrationExpiresAt) }
    : undefined;

function tokenRecord(
  login: SsoLogin,
  client: OidcClientRegistration,
  answer: { accessToken: string; expiresInSeconds: number; refreshToken?: string },
  now: number,
  previous?: SsoToken,
): SsoToken {
  const refreshToken = answer.refreshToken ?? previous?.refreshToken;
  return {
    startUrl: login.startUrl,
    region: login.region,
    accessToken: answer.accessToken,
    expiresAt: tokenTime(now + answer.expiresInSeconds * 1000),
    ...(refreshToken ? { refreshToken } : {}),
    clientId: client.clientId,
    clientSecret: client.clientSecret,
    registrationExpiresAt: tokenTime(client.expiresAt),
  };
}

/** A usable access token for the sign-in: cached, refreshed, or (where allowed) signed in anew. */
export async function ssoAccessToken(login: SsoLogin, deps: SsoTokenDeps): Promise<string> {
  const cached = deps.store.read();
  if (timeLeft(cached, deps.now()) > REFRESH_WINDOW_MS && cached) return cached.accessToken;
  const asked = deps.now();
  const lock = await deps.lock();
  try {
    // Whoever held the lock may have refreshed or signed in already — or tried and failed, in
    // which case the callers that waited for it do not each start a sign-in of their own.
    if ((deps.store.failedAt?.() ?? 0) >= asked)
      throw authError(
        "sso_login_required",
        `Another rolectl's sign-in to ${loginName(login)} did not complete (the code expired or was denied).`,
        { hint: `Run \`${loginHint(login)}\`, then try again.` },
      );
    const current = deps.store.read();
    const left = timeLeft(current, deps.now());
    if (current && left > REFRESH_WINDOW_MS) return current.accessToken;
    const refreshed = await refresh(login, current, deps).catch((err: unknown) => {
      if (current && left > USABLE_MS) return undefined; // still good for a while: use it
      if (isRolectlError(err) && err.kind === "usage") throw err;
      return undefined; // a refused refresh token: sign in again
    });
    if (refreshed) return refreshed.accessToken;
    if (current && left > USABLE_MS) return current.accessToken;
    if (deps.noSignIn !== undefined)
      throw authError(
        "sso_login_required",
        `There is no valid IAM Identity Center token for ${loginName(login)}, and rolectl cannot sign in here (${deps.noSignIn}).`,
        { hint: `Run \`${loginHint(login)}\` where you can open a browser, then try again.` },
      );
    try {
      return (await deviceSignIn(login, current, deps)).accessToken;
    } catch (err) {
      await deps.store.markFailed?.().catch(() => {});
      throw err;
    }
  } finally {
    await lock.release();
  }
}

/** The refresh-token grant; undefined when the token cannot be refreshed (a legacy profile). */
async function refresh(login: SsoLogin, token: SsoToken | undefined, deps: SsoTokenDeps) {
  const client = registrationOf(token, deps.now());
  // botocore refreshes only tokens of an [sso-session]; a legacy profile signs in again.
  if (!login.session || !token?.refreshToken || !client) return undefined;
  const answer = await deps.oidc.tokenFromRefreshToken(client, token.refreshToken);
  const next = {
    ...tokenRecord(login, client, answer, deps.now(), token),
    ...(token.rolectlRegistration ? { rolectlRegistration: token.rolectlRegistration } : {}),
  };
  await deps.store.write(next);
  return next;
}

/**
 * The device authorization flow: register (or reuse the cached registration), show the person
 * the URL and code, poll CreateToken as the service asks (pending; slow down: +5 s), and store
 * the token where the AWS CLI looks for it.
 */
export async function deviceSignIn(
  login: SsoLogin,
  previous: SsoToken | undefined,
  deps: SsoTokenDeps,
): Promise<SsoToken> {
  const reused = registrationOf(previous, deps.now(), login);
  let client = reused ?? (await deps.oidc.registerClient(login.scopes));
  let device: DeviceAuthorization;
  try {
    device = await deps.oidc.startDeviceAuthorization(client, login.startUrl);
  } catch (err) {
    // A cached client the service no longer takes: register anew, once.
    const name = awsErrorName(err);
    if (!reused || (name !== "InvalidClient" && name !== "UnauthorizedClient")) throw err;
    client = await deps.oidc.registerClient(login.scopes);
    device = await deps.oidc.startDeviceAuthorization(client, login.startUrl);
  }
  await deps.showSignIn?.({
    verificationUri: device.verificationUri,
    ...(device.verificationUriComplete ? { verificationUriComplete: device.verificationUriComplete } : {}),
    userCode: device.userCode,
  });
  const deadline = deps.now() + device.expiresInSeconds * 1000;
  let interval = Math.max(1, device.intervalSeconds) * 1000;
  for (;;) {
    if (deps.now() >= deadline) throw signInExpired(login);
    deps.waiting?.(Math.ceil((deadline - deps.now()) / 1000));
    await deps.sleep(interval);
    try {
      const answer = await deps.oidc.tokenFromDeviceCode(client, device.deviceCode);
      const token = {
        ...tokenRecord(login, client, answer, deps.now()),
        rolectlRegistration: registrationTag(login),
      };
      await deps.store.write(token);
      return token;
    } catch (err) {
      const name = awsErrorName(err);
      if (name === "AuthorizationPending") continue;
      if (name === "SlowDown") {
        interval += 5000;
        continue;
      }
      if (name === "ExpiredToken") throw signInExpired(login);
      if (name === "AccessDenied")
        throw authError("sso_login_denied", `The sign-in for ${loginName(login)} was denied in the browser.`);
      throw err;
    }
  }
}

const signInExpired = (login: SsoLogin) =>
  authError("sso_login_expired", `The sign-in code for ${loginName(login)} expired before it was approved.`, {
    hint: `Run \`${loginHint(login)}\` again and approve the code within its time.`,
  });
