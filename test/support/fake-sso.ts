import { createHash, randomBytes, randomUUID } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";

// In-memory fakes of the AWS services moto lacks, played by the test proxy (proxy.ts):
// - IAM Identity Center OIDC ("sso-oidc", REST-JSON): RegisterClient, StartDeviceAuthorization,
//   CreateToken (device_code, refresh_token and authorization_code + PKCE grants), plus the two
//   pages a person opens in a browser (/device for the device flow, /authorize for PKCE);
// - the Identity Center portal ("sso", REST-JSON): GetRoleCredentials (real moto credentials,
//   from an AssumeRole into the account), ListAccounts, ListAccountRoles, Logout;
// - GitHub Actions' OIDC token endpoint (ACTIONS_ID_TOKEN_REQUEST_URL).
// Answers follow the botocore models (sso-oidc/sso 2019-06-10): errors carry the exception name
// in `x-amzn-errortype` (what botocore and the JS SDK v3 read first), with AWS's coral suffix,
// and the body AWS sends ({error, error_description} for OIDC, {message} for the portal).
// Secrets (tokens, client secrets, device codes, PKCE verifiers) are never put in recorded params.

export type FakeService = "sso-oidc" | "sso" | "github";

export interface FakeRoute {
  service: FakeService;
  /** The operation name, as recorded in RecordedCall.action. */
  action: string;
  method: string;
}

const ROUTES: Record<string, FakeRoute> = {
  "/client/register": { service: "sso-oidc", action: "RegisterClient", method: "POST" },
  "/device_authorization": { service: "sso-oidc", action: "StartDeviceAuthorization", method: "POST" },
  "/token": { service: "sso-oidc", action: "CreateToken", method: "POST" },
  /** The verification page a person opens (verificationUriComplete): visiting it approves. */
  "/device": { service: "sso-oidc", action: "VerifyDevice", method: "GET" },
  /** The authorization page of the PKCE flow, which redirects to the client's loopback URI. */
  "/authorize": { service: "sso-oidc", action: "Authorize", method: "GET" },
  "/federation/credentials": { service: "sso", action: "GetRoleCredentials", method: "GET" },
  "/assignment/accounts": { service: "sso", action: "ListAccounts", method: "GET" },
  "/assignment/roles": { service: "sso", action: "ListAccountRoles", method: "GET" },
  "/logout": { service: "sso", action: "Logout", method: "POST" },
  "/github-actions/token": { service: "github", action: "GitHubToken", method: "GET" },
};

/**
 * Which fake answers this request: by path, for requests that are unsigned (the proxy found no
 * SigV4 scope) or signed for the SSO services' signing names.
 */
export function routeFake(signingService: string, path: string): FakeRoute | undefined {
  if (!["unknown", "sso-oauth", "awsssoportal"].includes(signingService)) return undefined;
  const url = new URL(path, "http://x");
  if (url.pathname === "/token" && url.searchParams.has("aws_iam")) return undefined; // CreateTokenWithIAM
  return ROUTES[url.pathname];
}

export const isFakeService = (service: string): service is FakeService =>
  service === "sso-oidc" || service === "sso" || service === "github";

export interface FakeRequest {
  method: string;
  /** Path and query, as received. */
  path: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export interface FakeAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** A short, one-way fingerprint of a secret: recorded in its place so tests can tell values apart. */
export const fingerprint = (secret: string): string =>
  `sha256:${createHash("sha256").update(secret).digest("hex").slice(0, 12)}`;

const CORAL = ":http://internal.amazon.com/coral/com.amazonaws.switchboard.portal/";

function json(status: number, payload: unknown, headers: Record<string, string> = {}): FakeAnswer {
  return {
    status,
    headers: { "content-type": "application/json", "x-amzn-requestid": randomUUID(), ...headers },
    body: payload === undefined ? "" : JSON.stringify(payload),
  };
}

/** An OIDC error: {error, error_description} and the exception name in x-amzn-errortype. */
function oidcError(status: number, exception: string, error: string, description: string): FakeAnswer {
  return json(status, { error, error_description: description }, { "x-amzn-errortype": exception + CORAL });
}

/** A portal error: {message} and the exception name in x-amzn-errortype. */
function portalError(status: number, exception: string, message: string): FakeAnswer {
  return json(status, { message }, { "x-amzn-errortype": exception + CORAL });
}

const OIDC_ERRORS: Record<string, [number, string]> = {
  AccessDeniedException: [400, "access_denied"],
  AuthorizationPendingException: [400, "authorization_pending"],
  ExpiredTokenException: [400, "expired_token"],
  InternalServerException: [500, "server_error"],
  InvalidClientException: [401, "invalid_client"],
  InvalidGrantException: [400, "invalid_grant"],
  InvalidRequestException: [400, "invalid_request"],
  InvalidScopeException: [400, "invalid_scope"],
  SlowDownException: [400, "slow_down"],
  UnauthorizedClientException: [400, "unauthorized_client"],
  UnsupportedGrantTypeException: [400, "unsupported_grant_type"],
  InvalidRedirectUriException: [400, "invalid_redirect_uri"],
  InvalidClientMetadataException: [400, "invalid_client_metadata"],
};

const oidc = (exception: string, description: string): FakeAnswer => {
  const [status, error] = OIDC_ERRORS[exception] ?? [400, "invalid_request"];
  return oidcError(status, exception, error, description);
};

/**
 * The JSON answer for one of the proxy's generic faults on a fake service, in that service's own
 * exception names: throttle → SlowDownException (OIDC) / TooManyRequestsException 429 (portal);
 * error500 → InternalServerException 500; accessDenied → AccessDeniedException (OIDC) /
 * ForbiddenException 403 (portal); expiredToken → ExpiredTokenException (OIDC) /
 * UnauthorizedException 401 (portal). GitHub: {message} with 429/500/403/401.
 */
export function fakeFaultAnswer(
  service: FakeService,
  kind: string,
  message?: string,
): FakeAnswer | undefined {
  const table: Record<string, Record<FakeService, [number, string]>> = {
    throttle: {
      "sso-oidc": [400, "SlowDownException"],
      sso: [429, "TooManyRequestsException"],
      github: [429, ""],
    },
    error500: {
      "sso-oidc": [500, "InternalServerException"],
      sso: [500, "InternalServerException"],
      github: [500, ""],
    },
    accessDenied: {
      "sso-oidc": [400, "AccessDeniedException"],
      sso: [403, "ForbiddenException"],
      github: [403, ""],
    },
    expiredToken: {
      "sso-oidc": [400, "ExpiredTokenException"],
      sso: [401, "UnauthorizedException"],
      github: [401, ""],
    },
  };
  const entry = table[kind]?.[service];
  if (!entry) return undefined;
  const [status, exception] = entry;
  const text = message ?? `${exception || "error"} (injected)`;
  if (service === "github") return json(status, { message: text });
  if (service === "sso") return portalError(status, exception, text);
  return oidcError(status, exception, OIDC_ERRORS[exception]?.[1] ?? "invalid_request", text);
}

/** The parameters of a fake call that are safe to record: never a token, secret or code. */
export function fakeParams(route: FakeRoute, path: string, body: Buffer): Record<string, string> {
  const q = new URL(path, "http://x").searchParams;
  let b: Record<string, unknown> = {};
  try {
    if (body.length) b = JSON.parse(body.toString("utf8")) as Record<string, unknown>;
  } catch {
    // not JSON: nothing to record from the body
  }
  const pick = (entries: [string, unknown][]): Record<string, string> =>
    Object.fromEntries(
      entries
        .filter(([, v]) => v !== undefined && v !== null)
        .map(([k, v]) => [k, Array.isArray(v) ? v.join(",") : String(v)]),
    );
  switch (route.action) {
    case "RegisterClient":
      return pick([
        ["clientName", b.clientName],
        ["clientType", b.clientType],
        ["scopes", b.scopes],
        ["grantTypes", b.grantTypes],
        ["redirectUris", b.redirectUris],
        ["issuerUrl", b.issuerUrl],
      ]);
    case "StartDeviceAuthorization":
      return pick([
        ["clientId", b.clientId],
        ["startUrl", b.startUrl],
      ]);
    case "CreateToken":
      return pick([
        ["grantType", b.grantType],
        ["clientId", b.clientId],
        ["scope", b.scope],
        ["redirectUri", b.redirectUri],
      ]);
    case "VerifyDevice":
      return pick([["userCode", q.get("user_code") ?? undefined]]);
    case "Authorize":
      return pick([
        ["clientId", q.get("client_id") ?? undefined],
        ["redirectUri", q.get("redirect_uri") ?? undefined],
        ["codeChallengeMethod", q.get("code_challenge_method") ?? undefined],
        ["scopes", q.get("scopes") ?? undefined],
      ]);
    case "GetRoleCredentials":
      return pick([
        ["accountId", q.get("account_id") ?? undefined],
        ["roleName", q.get("role_name") ?? undefined],
      ]);
    case "ListAccounts":
    case "ListAccountRoles":
      return pick([
        ["accountId", q.get("account_id") ?? undefined],
        ["maxResults", q.get("max_result") ?? undefined],
        ["nextToken", q.get("next_token") ?? undefined],
      ]);
    case "GitHubToken":
      return pick([["audience", q.get("audience") ?? undefined]]);
    default:
      return {};
  }
}

/** Answers a routed request from the fakes. */
export async function answerFake(
  route: FakeRoute,
  fakes: { sso: FakeSso; github: FakeGitHub },
  request: FakeRequest,
): Promise<FakeAnswer> {
  if (request.method !== route.method)
    return json(405, { message: `${request.method} is not allowed on ${route.action}` });
  if (route.service === "github") return fakes.github.answer(request);
  return fakes.sso.answer(route.action, request);
}

// ---------------------------------------------------------------------------------------------
// IAM Identity Center: OIDC + portal

export interface SsoAccount {
  accountId: string;
  accountName: string;
  emailAddress: string;
  roleNames: string[];
}

/** A token the fake issued (the test may read the secrets; the proxy never records them). */
export interface IssuedToken {
  accessToken: string;
  refreshToken?: string;
  /** The CreateToken grant type, or "minted" for mintToken(). */
  grantType: string;
  clientId: string;
  /** One per sign-in (device approval, PKCE approval, mintToken); refreshes keep it. */
  sessionId: string;
  issuedAt: Date;
  expiresAt: Date;
}

/** A ready-made sign-in, as `aws sso login` leaves it in the token cache. */
export interface MintedToken {
  accessToken: string;
  refreshToken?: string;
  clientId: string;
  clientSecret: string;
  expiresAt: Date;
  registrationExpiresAt: Date;
}

export interface SsoStats {
  /** Successful RegisterClient calls. */
  registrations: number;
  /** Successful StartDeviceAuthorization calls. */
  deviceAuthorizations: number;
  /** Access tokens issued by CreateToken for a sign-in (device code or authorization code). */
  logins: number;
  /** Access tokens issued by CreateToken's refresh_token grant. */
  refreshes: number;
  /** CreateToken answers AuthorizationPendingException. */
  pendingAnswers: number;
  /** CreateToken answers SlowDownException (polled faster than the interval). */
  slowDowns: number;
  /** Credentials handed out by GetRoleCredentials. */
  roleCredentials: number;
  /** Successful Logout calls. */
  logouts: number;
  /** Visits of the device verification page (what a browser opened). */
  verificationVisits: number;
  /** Visits of the PKCE authorization page. */
  authorizeVisits: number;
}

interface Client {
  clientId: string;
  clientSecret: string;
  scopes: string[];
  grantTypes: string[];
  redirectUris: string[];
  expiresAt: number;
}

interface DeviceAuthorization {
  deviceCode: string;
  userCode: string;
  clientId: string;
  scopes: string[];
  expiresAt: number;
  /** The interval the client must keep between polls, in ms (grows by 5 s on each slow-down). */
  intervalMs: number;
  lastPollAt?: number;
  state: "pending" | "approved" | "denied" | "consumed";
}

interface AuthorizationRequest {
  code: string;
  clientId: string;
  redirectUri: string;
  state: string;
  codeChallenge: string;
  scopes: string[];
  expiresAt: number;
  status: "pending" | "approved" | "consumed";
}

interface AccessTokenState {
  sessionId: string;
  expiresAt: number;
}

interface RefreshTokenState {
  sessionId: string;
  clientId: string;
  scopes: string[];
  valid: boolean;
}

const DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code";
const OIDC_GRANTS = ["authorization_code", "refresh_token", DEVICE_GRANT];
const b64url = (buf: Buffer) => buf.toString("base64url");
const secret = (bytes: number) => b64url(randomBytes(bytes));
const USER_CODE_LETTERS = "BCDFGHJKLMNPQRSTVWXZ";

function userCode(): string {
  const bytes = randomBytes(8);
  const letters = [...bytes].map((b) => USER_CODE_LETTERS[b % USER_CODE_LETTERS.length]).join("");
  return `${letters.slice(0, 4)}-${letters.slice(4)}`;
}

function isLoopback(uri: string): boolean {
  try {
    const u = new URL(uri);
    return u.protocol === "http:" && (u.hostname === "127.0.0.1" || u.hostname === "[::1]");
  } catch {
    return false;
  }
}

/** RFC 8252 §7.3: a loopback redirect URI matches a registered one whatever its port. */
function redirectAllowed(registered: string[], uri: string): boolean {
  return registered.some((r) => {
    if (r === uri) return true;
    if (!isLoopback(r) || !isLoopback(uri)) return false;
    const a = new URL(r);
    const b = new URL(uri);
    return a.hostname === b.hostname && a.pathname === b.pathname;
  });
}

/** The settings reset() restores to their defaults. */
const SETTINGS = [
  "startUrl",
  "region",
  "accessTokenSeconds",
  "deviceCodeSeconds",
  "clientSeconds",
  "roleCredentialSeconds",
  "interval",
  "enforceInterval",
  "slowDownIncrementSeconds",
  "autoApprove",
  "autoApproveDelayMs",
  "approveOnVisit",
  "refreshTokens",
  "rotateRefreshTokens",
  "userName",
] as const;

/**
 * IAM Identity Center, in memory: `env.proxy.sso`. Configure it before the client calls (every
 * setting goes back to its default on reset(), which the proxy's reset() calls).
 */
export class FakeSso {
  /** The start URL sign-ins must name (StartDeviceAuthorization for another → InvalidRequestException). */
  startUrl = "https://d-9067fake01.awsapps.com/start";
  /** The region, shown in verification URLs only (the endpoint is the proxy). */
  region = "us-east-1";
  /** Lifetime of an access token (CreateToken expiresIn). */
  accessTokenSeconds = 3600;
  /** Lifetime of a device code (StartDeviceAuthorization expiresIn). */
  deviceCodeSeconds = 600;
  /** Lifetime of a client registration (clientSecretExpiresAt - now). */
  clientSeconds = 90 * 86400;
  /** Lifetime of the role credentials GetRoleCredentials hands out (DurationSeconds of the AssumeRole). */
  roleCredentialSeconds = 3600;
  /** StartDeviceAuthorization's `interval`: the seconds a client must wait between polls. */
  interval = 1;
  /**
   * Answer SlowDownException to a poll that comes sooner than the device code's interval, and then
   * add slowDownIncrementSeconds to that interval (RFC 8628 §3.5: clients add 5 s).
   */
  enforceInterval = true;
  /** What a slow-down adds to the interval the fake expects between polls of that device code. */
  slowDownIncrementSeconds = 5;
  /** Approve each device authorization (and PKCE authorization) by itself, like a quick person. */
  autoApprove = false;
  /**
   * With autoApprove: the first CreateToken poll of a device code is answered
   * AuthorizationPendingException and the code approved this many ms later.
   */
  autoApproveDelayMs = 0;
  /** A visit of the verification page (verificationUriComplete, what a browser opens) approves its code. */
  approveOnVisit = true;
  /**
   * When CreateToken returns a refresh token: "withScopes" (AWS: only for a client registered with
   * scopes, i.e. `[sso-session]` profiles, not legacy ones), "always" or "never".
   */
  refreshTokens: "withScopes" | "always" | "never" = "withScopes";
  /** A refresh token works once: the refresh_token grant returns a new one and voids the old. */
  rotateRefreshTokens = true;
  /** The RoleSessionName of the AssumeRole behind GetRoleCredentials (what GetCallerIdentity shows). */
  userName = "fake.user@example.com";
  /** Accounts and their roles by account id, in the order ListAccounts returns them. */
  readonly accounts = new Map<string, SsoAccount>();

  private clients = new Map<string, Client>();
  private devices = new Map<string, DeviceAuthorization>();
  private authorizations = new Map<string, AuthorizationRequest>();
  private accessTokens = new Map<string, AccessTokenState>();
  private refreshTokenStates = new Map<string, RefreshTokenState>();
  private revokedSessions = new Set<string>();
  private issued: IssuedToken[] = [];
  private timers = new Set<NodeJS.Timeout>();
  private counters: SsoStats = FakeSso.zero();

  constructor(
    private readonly motoUrl: string,
    private readonly baseUrl: () => string,
  ) {}

  private static zero(): SsoStats {
    return {
      registrations: 0,
      deviceAuthorizations: 0,
      logins: 0,
      refreshes: 0,
      pendingAnswers: 0,
      slowDowns: 0,
      roleCredentials: 0,
      logouts: 0,
      verificationVisits: 0,
      authorizeVisits: 0,
    };
  }

  /** Forgets accounts, clients, codes and tokens, and restores every setting's default. */
  reset(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    const defaults = new FakeSso(this.motoUrl, this.baseUrl);
    for (const key of SETTINGS) Object.assign(this, { [key]: defaults[key] });
    this.accounts.clear();
    this.clients.clear();
    this.devices.clear();
    this.authorizations.clear();
    this.accessTokens.clear();
    this.refreshTokenStates.clear();
    this.revokedSessions.clear();
    this.issued = [];
    this.counters = FakeSso.zero();
  }

  // --- accounts ------------------------------------------------------------------------------

  /** Assigns the signed-in user `roleNames` in an account (GetRoleCredentials for others → ForbiddenException). */
  addAccount(accountId: string, accountName: string, roleNames: string[], emailAddress?: string): SsoAccount {
    if (!/^\d{12}$/.test(accountId)) throw new Error(`fake sso: ${accountId} is not a 12-digit account id`);
    const account = {
      accountId,
      accountName,
      emailAddress:
        emailAddress ?? `aws+${accountName.toLowerCase().replace(/[^a-z0-9]+/g, "-")}@example.com`,
      roleNames: [...roleNames],
    };
    this.accounts.set(accountId, account);
    return account;
  }

  /**
   * Adds `n` accounts: ids firstAccountId, firstAccountId+1, … (default 100000000001 onwards, after
   * those already added), named `${namePrefix}-0001`…, each with `roleNames` (default
   * AdministratorAccess and ReadOnlyAccess). Nothing is created in moto: GetRoleCredentials
   * assumes into the account on demand. 1,000 accounts take about a millisecond.
   */
  addAccounts(
    n: number,
    options: { roleNames?: string[]; firstAccountId?: number; namePrefix?: string } = {},
  ): SsoAccount[] {
    const first = options.firstAccountId ?? 100_000_000_001 + this.accounts.size;
    const roles = options.roleNames ?? ["AdministratorAccess", "ReadOnlyAccess"];
    const prefix = options.namePrefix ?? "account";
    const width = Math.max(4, String(n).length);
    const added: SsoAccount[] = [];
    for (let i = 0; i < n; i++) {
      const id = String(first + i).padStart(12, "0");
      added.push(this.addAccount(id, `${prefix}-${String(i + 1).padStart(width, "0")}`, roles));
    }
    return added;
  }

  /** Takes an account away from the user (as when it is closed or the assignment removed). */
  removeAccount(accountId: string): void {
    this.accounts.delete(accountId);
  }

  // --- the person in the browser -----------------------------------------------------------------

  /** The user codes waiting for a person, oldest first. */
  pendingUserCodes(): string[] {
    return [...this.devices.values()]
      .filter((d) => d.state === "pending" && d.expiresAt > Date.now())
      .map((d) => d.userCode);
  }

  /**
   * Approves a pending device authorization, like a person who signs in and clicks "Allow" in the
   * browser: its next CreateToken poll gets the tokens. No argument: the latest pending one.
   * Returns the user code approved; throws if there is none.
   */
  approve(userCode?: string): string {
    const device = this.pendingDevice(userCode);
    device.state = "approved";
    return device.userCode;
  }

  /** Refuses a pending device authorization ("Deny"): its next poll gets AccessDeniedException. */
  deny(userCode?: string): string {
    const device = this.pendingDevice(userCode);
    device.state = "denied";
    return device.userCode;
  }

  private pendingDevice(code?: string): DeviceAuthorization {
    const pending = [...this.devices.values()].filter(
      (d) => d.state === "pending" && d.expiresAt > Date.now() && (code === undefined || d.userCode === code),
    );
    const device = pending[pending.length - 1];
    if (!device)
      throw new Error(`fake sso: no pending device authorization${code ? ` with user code ${code}` : ""}`);
    return device;
  }

  /**
   * Approves a pending PKCE authorization (a GET /authorize the fake answered with its waiting
   * page) and follows the redirect to the client's loopback URI, like the browser would. No
   * argument: the latest. Resolves to the HTTP status the client's callback answered.
   */
  async approveAuthorization(state?: string): Promise<number> {
    const pending = [...this.authorizations.values()].filter(
      (a) => a.status === "pending" && (state === undefined || a.state === state),
    );
    const auth = pending[pending.length - 1];
    if (!auth) throw new Error("fake sso: no pending authorization request");
    auth.status = "approved";
    const res = await fetch(this.redirectTarget(auth), { redirect: "manual" });
    await res.arrayBuffer();
    return res.status;
  }

  private redirectTarget(auth: AuthorizationRequest): string {
    const target = new URL(auth.redirectUri);
    target.searchParams.set("code", auth.code);
    target.searchParams.set("state", auth.state);
    return target.toString();
  }

  // --- tokens ----------------------------------------------------------------------------------

  /** Makes every access token issued so far expired (the portal answers 401 to them). */
  expireAccessTokens(): void {
    for (const t of this.accessTokens.values()) t.expiresAt = Date.now() - 1000;
  }

  /** Voids every refresh token issued so far (their refresh_token grant → InvalidGrantException). */
  revokeRefreshTokens(): void {
    for (const r of this.refreshTokenStates.values()) r.valid = false;
  }

  /** Makes every device code issued so far expired (its next poll → ExpiredTokenException). */
  expireDeviceCodes(): void {
    for (const d of this.devices.values()) d.expiresAt = Date.now() - 1000;
  }

  /** Makes every client registration expired (CreateToken/StartDeviceAuthorization → InvalidClientException). */
  expireClients(): void {
    for (const c of this.clients.values()) c.expiresAt = Date.now() - 1000;
  }

  /** Every access token issued, oldest first, with its grant type and expiry. */
  issuedAccessTokens(): IssuedToken[] {
    return this.issued.map((t) => ({ ...t }));
  }

  /** Whether the portal would accept this access token now. */
  isValidAccessToken(token: string): boolean {
    const state = this.accessTokens.get(token);
    return !!state && state.expiresAt > Date.now() && !this.revokedSessions.has(state.sessionId);
  }

  /** Counts of what the fake did (calls are in proxy.calls / callsOf()). */
  stats(): SsoStats {
    return { ...this.counters };
  }

  /**
   * A signed-in session without any flow, as `aws sso login` would leave it: a registered client
   * (with scopes, as for an `[sso-session]`) and its tokens. `expiresInSeconds` may be negative
   * for an already expired access token; `refreshToken: false` omits it (a legacy sign-in).
   */
  mintToken(
    options: { expiresInSeconds?: number; refreshToken?: boolean; scopes?: string[] } = {},
  ): MintedToken {
    const client = this.register({
      scopes: options.scopes ?? ["sso:account:access"],
      grantTypes: [],
      redirectUris: [],
    });
    const issued = this.issue(
      client,
      options.scopes ?? ["sso:account:access"],
      "minted",
      randomUUID(),
      options.refreshToken ?? true,
    );
    const state = this.accessTokens.get(issued.accessToken);
    if (state && options.expiresInSeconds !== undefined) {
      state.expiresAt = Date.now() + options.expiresInSeconds * 1000;
      const last = this.issued[this.issued.length - 1];
      if (last) last.expiresAt = new Date(state.expiresAt);
    }
    return {
      accessToken: issued.accessToken,
      ...(issued.refreshToken ? { refreshToken: issued.refreshToken } : {}),
      clientId: client.clientId,
      clientSecret: client.clientSecret,
      expiresAt: new Date(state?.expiresAt ?? Date.now()),
      registrationExpiresAt: new Date(client.expiresAt),
    };
  }

  /**
   * The JSON of an AWS CLI token cache file (~/.aws/sso/cache/<sha1>.json) for a minted token, in
   * botocore's format (timestamps `YYYY-MM-DDTHH:MM:SSZ`).
   */
  tokenCacheJson(token: MintedToken, options: { startUrl?: string; region?: string } = {}): string {
    const iso = (d: Date) => `${d.toISOString().slice(0, 19)}Z`;
    return JSON.stringify({
      startUrl: options.startUrl ?? this.startUrl,
      region: options.region ?? this.region,
      accessToken: token.accessToken,
      expiresAt: iso(token.expiresAt),
      clientId: token.clientId,
      clientSecret: token.clientSecret,
      registrationExpiresAt: iso(token.registrationExpiresAt),
      ...(token.refreshToken ? { refreshToken: token.refreshToken } : {}),
    });
  }

  private register(r: { scopes: string[]; grantTypes: string[]; redirectUris: string[] }): Client {
    const client: Client = {
      clientId: secret(16),
      clientSecret: secret(96),
      ...r,
      expiresAt: Date.now() + this.clientSeconds * 1000,
    };
    this.clients.set(client.clientId, client);
    return client;
  }

  private issue(
    client: Client,
    scopes: string[],
    grantType: string,
    sessionId: string,
    withRefresh?: boolean,
  ): { accessToken: string; refreshToken?: string; expiresIn: number } {
    const accessToken = `aoa${secret(48)}`;
    const expiresIn = this.accessTokenSeconds;
    const now = Date.now();
    this.accessTokens.set(accessToken, { sessionId, expiresAt: now + expiresIn * 1000 });
    const refresh =
      withRefresh ??
      (this.refreshTokens === "always" || (this.refreshTokens === "withScopes" && scopes.length > 0));
    const refreshToken = refresh ? `aor${secret(64)}` : undefined;
    if (refreshToken)
      this.refreshTokenStates.set(refreshToken, {
        sessionId,
        clientId: client.clientId,
        scopes,
        valid: true,
      });
    this.issued.push({
      accessToken,
      ...(refreshToken ? { refreshToken } : {}),
      grantType,
      clientId: client.clientId,
      sessionId,
      issuedAt: new Date(now),
      expiresAt: new Date(now + expiresIn * 1000),
    });
    return { accessToken, ...(refreshToken ? { refreshToken } : {}), expiresIn };
  }

  // --- the wire ------------------------------------------------------------------------------

  /** Answers one OIDC or portal operation. */
  async answer(action: string, request: FakeRequest): Promise<FakeAnswer> {
    const url = new URL(request.path, "http://x");
    let body: Record<string, unknown> = {};
    if (request.body.length) {
      try {
        body = JSON.parse(request.body.toString("utf8")) as Record<string, unknown>;
      } catch {
        return action.startsWith("List") || action === "GetRoleCredentials" || action === "Logout"
          ? portalError(400, "InvalidRequestException", "The request body is not valid JSON")
          : oidc("InvalidRequestException", "The request body is not valid JSON");
      }
    }
    switch (action) {
      case "RegisterClient":
        return this.registerClient(body);
      case "StartDeviceAuthorization":
        return this.startDeviceAuthorization(body);
      case "CreateToken":
        return this.createToken(body);
      case "VerifyDevice":
        return this.verifyDevice(url);
      case "Authorize":
        return this.authorize(url);
      default:
        return this.portal(action, url, request.headers);
    }
  }

  private registerClient(b: Record<string, unknown>): FakeAnswer {
    if (typeof b.clientName !== "string" || typeof b.clientType !== "string")
      return oidc("InvalidRequestException", "clientName and clientType are required");
    if (b.clientType !== "public") return oidc("InvalidClientMetadataException", "clientType must be public");
    const strings = (v: unknown) =>
      Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : [];
    const grantTypes = strings(b.grantTypes);
    const redirectUris = strings(b.redirectUris);
    if (grantTypes.some((g) => !OIDC_GRANTS.includes(g)))
      return oidc("UnsupportedGrantTypeException", "Unsupported grant type in grantTypes");
    if (grantTypes.includes("authorization_code") && redirectUris.length === 0)
      return oidc("InvalidRedirectUriException", "redirectUris are required for authorization_code");
    const client = this.register({ scopes: strings(b.scopes), grantTypes, redirectUris });
    this.counters.registrations++;
    return json(200, {
      clientId: client.clientId,
      clientSecret: client.clientSecret,
      clientIdIssuedAt: Math.floor(Date.now() / 1000),
      clientSecretExpiresAt: Math.floor(client.expiresAt / 1000),
    });
  }

  private client(b: Record<string, unknown>): Client | FakeAnswer {
    const client = typeof b.clientId === "string" ? this.clients.get(b.clientId) : undefined;
    if (!client || b.clientSecret !== client.clientSecret)
      return oidc("InvalidClientException", "Invalid client provided");
    if (client.expiresAt <= Date.now())
      return oidc("InvalidClientException", "Client registration has expired");
    return client;
  }

  private startDeviceAuthorization(b: Record<string, unknown>): FakeAnswer {
    if (
      typeof b.clientId !== "string" ||
      typeof b.clientSecret !== "string" ||
      typeof b.startUrl !== "string"
    )
      return oidc("InvalidRequestException", "clientId, clientSecret and startUrl are required");
    const client = this.client(b);
    if ("status" in client) return client;
    if (b.startUrl !== this.startUrl) return oidc("InvalidRequestException", "Invalid start URL");
    const device: DeviceAuthorization = {
      deviceCode: secret(48),
      userCode: userCode(),
      clientId: client.clientId,
      scopes: client.scopes,
      expiresAt: Date.now() + this.deviceCodeSeconds * 1000,
      intervalMs: this.interval * 1000,
      state: "pending",
    };
    this.devices.set(device.deviceCode, device);
    this.counters.deviceAuthorizations++;
    const verificationUri = `${this.baseUrl()}/device`;
    return json(200, {
      deviceCode: device.deviceCode,
      userCode: device.userCode,
      verificationUri,
      verificationUriComplete: `${verificationUri}?user_code=${device.userCode}`,
      expiresIn: this.deviceCodeSeconds,
      interval: this.interval,
    });
  }

  private createToken(b: Record<string, unknown>): FakeAnswer {
    if (
      typeof b.clientId !== "string" ||
      typeof b.clientSecret !== "string" ||
      typeof b.grantType !== "string"
    )
      return oidc("InvalidRequestException", "clientId, clientSecret and grantType are required");
    const client = this.client(b);
    if ("status" in client) return client;
    // A client registered with grantTypes may use only those; one without, device code and refresh.
    const allowed = client.grantTypes.length ? client.grantTypes : [DEVICE_GRANT, "refresh_token"];
    if (
      typeof b.grantType === "string" &&
      OIDC_GRANTS.includes(b.grantType) &&
      !allowed.includes(b.grantType)
    )
      return oidc("UnauthorizedClientException", `The client is not registered for ${b.grantType}`);
    const token = (t: { accessToken: string; refreshToken?: string; expiresIn: number }) =>
      json(200, {
        accessToken: t.accessToken,
        tokenType: "Bearer",
        expiresIn: t.expiresIn,
        ...(t.refreshToken ? { refreshToken: t.refreshToken } : {}),
      });

    if (b.grantType === DEVICE_GRANT) {
      const device = typeof b.deviceCode === "string" ? this.devices.get(b.deviceCode) : undefined;
      if (!device || device.clientId !== client.clientId)
        return oidc("InvalidGrantException", "Invalid device code provided");
      const now = Date.now();
      if (device.expiresAt <= now) return oidc("ExpiredTokenException", "Device code has expired");
      if (device.state === "consumed")
        return oidc("InvalidGrantException", "Device code has already been used");
      if (device.state === "denied")
        return oidc("AccessDeniedException", "The user denied the authorization");
      const last = device.lastPollAt;
      device.lastPollAt = now;
      // 100 ms of grace: a client that waits `interval` after each answer arrives a little later.
      if (this.enforceInterval && last !== undefined && now - last < device.intervalMs - 100) {
        device.intervalMs += this.slowDownIncrementSeconds * 1000;
        this.counters.slowDowns++;
        return oidc("SlowDownException", "Client is polling too quickly");
      }
      if (device.state === "pending") {
        if (this.autoApprove) {
          const timer = setTimeout(() => {
            this.timers.delete(timer);
            if (device.state === "pending") device.state = "approved";
          }, this.autoApproveDelayMs);
          timer.unref();
          this.timers.add(timer);
        }
        this.counters.pendingAnswers++;
        return oidc("AuthorizationPendingException", "Authorization is still pending");
      }
      device.state = "consumed";
      this.counters.logins++;
      return token(this.issue(client, device.scopes, DEVICE_GRANT, randomUUID()));
    }

    if (b.grantType === "refresh_token") {
      const state =
        typeof b.refreshToken === "string" ? this.refreshTokenStates.get(b.refreshToken) : undefined;
      if (
        !state ||
        !state.valid ||
        state.clientId !== client.clientId ||
        this.revokedSessions.has(state.sessionId)
      )
        return oidc("InvalidGrantException", "Invalid refresh token provided");
      if (this.rotateRefreshTokens) state.valid = false;
      this.counters.refreshes++;
      return token(this.issue(client, state.scopes, "refresh_token", state.sessionId, true));
    }

    if (b.grantType === "authorization_code") {
      const auth = typeof b.code === "string" ? this.authorizations.get(b.code) : undefined;
      if (!auth || auth.clientId !== client.clientId || auth.status !== "approved")
        return oidc("InvalidGrantException", "Invalid authorization code provided");
      if (auth.expiresAt <= Date.now())
        return oidc("ExpiredTokenException", "Authorization code has expired");
      if (b.redirectUri !== auth.redirectUri)
        return oidc("InvalidGrantException", "redirectUri does not match");
      const verifier = typeof b.codeVerifier === "string" ? b.codeVerifier : "";
      if (b64url(createHash("sha256").update(verifier).digest()) !== auth.codeChallenge)
        return oidc("InvalidGrantException", "Code verifier does not match the code challenge");
      auth.status = "consumed";
      this.counters.logins++;
      return token(this.issue(client, auth.scopes, "authorization_code", randomUUID()));
    }

    return oidc("UnsupportedGrantTypeException", `Unsupported grant type: ${b.grantType}`);
  }

  private verifyDevice(url: URL): FakeAnswer {
    this.counters.verificationVisits++;
    const code = url.searchParams.get("user_code") ?? "";
    const page = (status: number, text: string): FakeAnswer => ({
      status,
      headers: { "content-type": "text/html; charset=utf-8" },
      body: `<!doctype html><title>AWS access portal</title><p>${text}</p>`,
    });
    const device = [...this.devices.values()].find((d) => d.userCode === code);
    if (!device || device.state !== "pending" || device.expiresAt <= Date.now())
      return page(400, "This code is not valid or has expired.");
    if (this.approveOnVisit) device.state = "approved";
    return page(200, this.approveOnVisit ? "Request approved. You can close this window." : `Code ${code}`);
  }

  private authorize(url: URL): FakeAnswer {
    this.counters.authorizeVisits++;
    const q = url.searchParams;
    const bad = (text: string) => json(400, { error: "invalid_request", error_description: text });
    const client = this.clients.get(q.get("client_id") ?? "");
    if (!client || client.expiresAt <= Date.now()) return bad("Invalid client");
    if (q.get("response_type") !== "code") return bad("response_type must be code");
    if (q.get("code_challenge_method") !== "S256" || !q.get("code_challenge"))
      return bad("code_challenge with code_challenge_method S256 is required");
    const redirectUri = q.get("redirect_uri") ?? "";
    if (!redirectAllowed(client.redirectUris, redirectUri)) return bad("redirect_uri is not registered");
    const auth: AuthorizationRequest = {
      code: secret(32),
      clientId: client.clientId,
      redirectUri,
      state: q.get("state") ?? "",
      codeChallenge: q.get("code_challenge") ?? "",
      scopes: (q.get("scopes") ?? "").split(/[ ,]+/).filter(Boolean),
      expiresAt: Date.now() + 600_000,
      status: this.autoApprove ? "approved" : "pending",
    };
    this.authorizations.set(auth.code, auth);
    if (auth.status === "approved")
      return { status: 302, headers: { location: this.redirectTarget(auth) }, body: "" };
    return {
      status: 200,
      headers: { "content-type": "text/html; charset=utf-8" },
      body: "<!doctype html><title>AWS access portal</title><p>Allow access?</p>",
    };
  }

  private async portal(action: string, url: URL, headers: IncomingHttpHeaders): Promise<FakeAnswer> {
    const bearer = headers["x-amz-sso_bearer_token"];
    const token = Array.isArray(bearer) ? bearer[0] : bearer;
    if (!token) return portalError(400, "InvalidRequestException", "x-amz-sso_bearer_token is required");
    if (!this.isValidAccessToken(token))
      return portalError(401, "UnauthorizedException", "Session token not found or invalid");
    const q = url.searchParams;

    if (action === "Logout") {
      const state = this.accessTokens.get(token);
      if (state) this.revokedSessions.add(state.sessionId);
      this.counters.logouts++;
      return { status: 200, headers: { "x-amzn-requestid": randomUUID() }, body: "" };
    }

    const page = <T>(items: T[]): { items: T[]; nextToken?: string } | FakeAnswer => {
      const max = q.has("max_result") ? Number(q.get("max_result")) : 20;
      if (!Number.isInteger(max) || max < 1 || max > 100)
        return portalError(400, "InvalidRequestException", "max_result must be between 1 and 100");
      let start = 0;
      const next = q.get("next_token");
      if (next !== null) {
        const m = /^o:(\d+)$/.exec(Buffer.from(next, "base64url").toString("utf8"));
        if (!m?.[1]) return portalError(400, "InvalidRequestException", "Invalid next_token");
        start = Number(m[1]);
      }
      const end = start + max;
      return {
        items: items.slice(start, end),
        ...(end < items.length ? { nextToken: Buffer.from(`o:${end}`).toString("base64url") } : {}),
      };
    };

    if (action === "ListAccounts") {
      const p = page([...this.accounts.values()]);
      if ("status" in p) return p;
      return json(200, {
        accountList: p.items.map((a) => ({
          accountId: a.accountId,
          accountName: a.accountName,
          emailAddress: a.emailAddress,
        })),
        ...(p.nextToken ? { nextToken: p.nextToken } : {}),
      });
    }

    const accountId = q.get("account_id");
    if (!accountId) return portalError(400, "InvalidRequestException", "account_id is required");
    const account = this.accounts.get(accountId);

    if (action === "ListAccountRoles") {
      if (!account) return portalError(403, "ForbiddenException", "No access");
      const p = page(account.roleNames);
      if ("status" in p) return p;
      return json(200, {
        roleList: p.items.map((roleName) => ({ roleName, accountId })),
        ...(p.nextToken ? { nextToken: p.nextToken } : {}),
      });
    }

    // GetRoleCredentials
    const roleName = q.get("role_name");
    if (!roleName) return portalError(400, "InvalidRequestException", "role_name is required");
    if (!account?.roleNames.includes(roleName)) return portalError(403, "ForbiddenException", "No access");
    const creds = await this.assumeInMoto(accountId, roleName);
    this.counters.roleCredentials++;
    return json(200, { roleCredentials: creds });
  }

  /** Real moto credentials acting in the account: AssumeRole with moto's default keys, straight to moto. */
  private async assumeInMoto(
    accountId: string,
    roleName: string,
  ): Promise<{ accessKeyId: string; secretAccessKey: string; sessionToken: string; expiration: number }> {
    const form = new URLSearchParams({
      Action: "AssumeRole",
      Version: "2011-06-15",
      RoleArn: `arn:aws:iam::${accountId}:role/${roleName}`,
      RoleSessionName: this.userName.replace(/[^\w+=,.@-]/g, "-").slice(0, 64),
      DurationSeconds: String(this.roleCredentialSeconds),
    });
    const res = await fetch(`${this.motoUrl}/`, {
      method: "POST",
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        authorization:
          "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7DEFAULT/20260101/us-east-1/sts/aws4_request, SignedHeaders=host, Signature=0",
      },
      body: form.toString(),
    });
    const xml = await res.text();
    const tag = (name: string) => new RegExp(`<${name}>([^<]+)</${name}>`).exec(xml)?.[1];
    const accessKeyId = tag("AccessKeyId");
    const secretAccessKey = tag("SecretAccessKey");
    const sessionToken = tag("SessionToken");
    const expiration = tag("Expiration");
    if (!res.ok || !accessKeyId || !secretAccessKey || !sessionToken || !expiration)
      throw new Error(`fake sso: moto's AssumeRole failed (HTTP ${res.status})`);
    return { accessKeyId, secretAccessKey, sessionToken, expiration: Date.parse(expiration) };
  }
}

// ---------------------------------------------------------------------------------------------
// GitHub Actions OIDC token endpoint

export interface GitHubIdToken {
  audience: string;
  jwt: string;
  claims: Record<string, unknown>;
}

/** Decodes a JWT's header and payload (no signature check). Throws on a malformed token. */
export function decodeJwt(jwt: string): {
  header: Record<string, unknown>;
  payload: Record<string, unknown>;
} {
  const parts = jwt.split(".");
  if (parts.length !== 3 || !parts[0] || !parts[1]) throw new Error("not a JWT");
  const part = (p: string) =>
    JSON.parse(Buffer.from(p, "base64url").toString("utf8")) as Record<string, unknown>;
  return { header: part(parts[0]), payload: part(parts[1]) };
}

/** Builds a JWT with a dummy RS256 signature (STS in moto does not check it). */
export function makeJwt(payload: Record<string, unknown>): string {
  const enc = (o: unknown) => b64url(Buffer.from(JSON.stringify(o)));
  return `${enc({ alg: "RS256", typ: "JWT", kid: "fake-key-1" })}.${enc(payload)}.${secret(64)}`;
}

/**
 * GitHub Actions' ID token endpoint: `env.proxy.github`. A job gets `url` as
 * ACTIONS_ID_TOKEN_REQUEST_URL and `requestToken` as ACTIONS_ID_TOKEN_REQUEST_TOKEN; clients
 * GET `${url}&audience=AUD` with `Authorization: bearer <requestToken>` and read `.value`.
 */
export class FakeGitHub {
  /** The bearer token the endpoint expects (ACTIONS_ID_TOKEN_REQUEST_TOKEN); others → 401. */
  requestToken = "";
  /** The `sub` claim. */
  subject = "repo:org/repo:ref:refs/heads/main";
  /** The `iss` claim. */
  issuer = "https://token.actions.githubusercontent.com";
  /** Lifetime of an ID token (exp - iat); negative for an already expired one. */
  tokenSeconds = 300;
  /** More claims to put in (or override in) the next tokens. */
  extraClaims: Record<string, unknown> = {};
  private issued: GitHubIdToken[] = [];

  constructor(private readonly baseUrl: () => string) {
    this.reset();
  }

  /**
   * The ACTIONS_ID_TOKEN_REQUEST_URL value. Like GitHub's, it already has a query string
   * (`?api-version=2.0`), so clients append `&audience=…` (as @actions/core does).
   */
  get url(): string {
    return `${this.baseUrl()}/github-actions/token?api-version=2.0`;
  }

  /** The ID tokens handed out, oldest first. */
  issuedTokens(): GitHubIdToken[] {
    return this.issued.map((t) => ({ ...t }));
  }

  /** A new request token, default claims, no tokens issued. */
  reset(): void {
    this.requestToken = `ghs_${secret(27)}`;
    this.subject = "repo:org/repo:ref:refs/heads/main";
    this.issuer = "https://token.actions.githubusercontent.com";
    this.tokenSeconds = 300;
    this.extraClaims = {};
    this.issued = [];
  }

  answer(request: FakeRequest): FakeAnswer {
    const auth = request.headers.authorization ?? "";
    const m = /^bearer\s+(\S+)$/i.exec(auth);
    if (!m || m[1] !== this.requestToken) return json(401, { message: "Bad credentials" });
    const q = new URL(request.path, "http://x").searchParams;
    // GitHub's default audience when none is asked for: the URL of the repository owner.
    const owner = /^repo:([^/]+)\//.exec(this.subject)?.[1] ?? "org";
    const audience = q.get("audience") ?? `https://github.com/${owner}`;
    const now = Math.floor(Date.now() / 1000);
    const repository = /^repo:([^:]+):/.exec(this.subject)?.[1] ?? "org/repo";
    const claims: Record<string, unknown> = {
      jti: randomUUID(),
      sub: this.subject,
      aud: audience,
      ref: "refs/heads/main",
      sha: "0123456789abcdef0123456789abcdef01234567",
      repository,
      repository_owner: owner,
      run_id: "1234567890",
      run_attempt: "1",
      workflow: "deploy",
      event_name: "push",
      actor: "octocat",
      runner_environment: "github-hosted",
      iss: this.issuer,
      nbf: now - 5,
      iat: now,
      exp: now + this.tokenSeconds,
      ...this.extraClaims,
    };
    const jwt = makeJwt(claims);
    this.issued.push({ audience, jwt, claims });
    return json(200, { count: 1, value: jwt });
  }
}

// ---------------------------------------------------------------------------------------------
// STS AssumeRoleWithWebIdentity, which moto accepts whatever the token (strict mode only)

/**
 * Why AWS would refuse this AssumeRoleWithWebIdentity, or undefined. moto checks nothing: not
 * the token's syntax, signature, issuer, audience, subject or expiry, nor the role's existence
 * or trust policy. This checks what a test can: a JWT, not expired, and a trust statement
 * allowing sts:AssumeRoleWithWebIdentity for `Federated: arn:aws:iam::<acct>:oidc-provider/<iss
 * host+path>` whose StringEquals/StringLike conditions on `<provider>:aud` / `:sub` match.
 * (The IAM OIDC provider itself, and the signature, are not checked.)
 */
export function webIdentityDenial(
  token: string,
  trustPolicy: string | undefined,
): { status: number; code: string; message: string } | undefined {
  let payload: Record<string, unknown>;
  try {
    payload = decodeJwt(token).payload;
  } catch {
    return {
      status: 400,
      code: "InvalidIdentityToken",
      message: "The ID Token provided is not a valid JWT.",
    };
  }
  const now = Math.floor(Date.now() / 1000);
  if (typeof payload.exp !== "number" || payload.exp <= now)
    return {
      status: 400,
      code: "ExpiredTokenException",
      message: `Token expired: current date/time ${now} must be before the expiration date/time ${String(payload.exp)}`,
    };
  const denied = {
    status: 403,
    code: "AccessDenied",
    message: "Not authorized to perform sts:AssumeRoleWithWebIdentity",
  };
  if (!trustPolicy || typeof payload.iss !== "string") return denied;
  const provider = payload.iss.replace(/^https:\/\//, "");
  const list = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
  const glob = (pattern: string, value: string) =>
    new RegExp(
      `^${pattern
        .replace(/[.+^${}()|[\]\\]/g, "\\$&")
        .replace(/\*/g, ".*")
        .replace(/\?/g, ".")}$`,
    ).test(value);
  const claim = (key: string) => {
    const name = key.slice(provider.length + 1);
    const v = payload[name];
    return Array.isArray(v) ? v.map(String) : v === undefined ? [] : [String(v)];
  };
  const statements = list(
    (JSON.parse(trustPolicy) as { Statement?: Record<string, unknown> | Record<string, unknown>[] })
      .Statement,
  );
  const allowed = statements.some((s) => {
    if (s.Effect !== "Allow") return false;
    const actions = list(s.Action as string | string[] | undefined);
    if (!actions.some((a) => a === "sts:AssumeRoleWithWebIdentity" || a === "sts:*" || a === "*"))
      return false;
    const principal = s.Principal as { Federated?: string | string[] } | string | undefined;
    const federated = typeof principal === "object" ? list(principal.Federated) : [];
    if (!federated.some((f) => f.endsWith(`:oidc-provider/${provider}`))) return false;
    const conditions = (s.Condition ?? {}) as Record<string, Record<string, string | string[]>>;
    for (const [operator, entries] of Object.entries(conditions)) {
      for (const [key, expected] of Object.entries(entries)) {
        if (!key.startsWith(`${provider}:`)) continue;
        const values = list(expected).map(String);
        const actual = claim(key);
        const like = operator.startsWith("StringLike");
        if (!operator.startsWith("StringEquals") && !like) continue;
        if (!actual.some((a) => values.some((v) => (like ? glob(v, a) : v === a)))) return false;
      }
    }
    return true;
  });
  return allowed ? undefined : denied;
}
