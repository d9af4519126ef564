// Credential shapes shared by the cache, the AWS adapters and the credential chain.

/** Temporary credentials as AWS and credential_process spell them. */
export interface SessionCredentials {
  AccessKeyId: string;
  SecretAccessKey: string;
  SessionToken: string;
  /** ISO-8601 */
  Expiration: string;
}

// What AWS issues: key ids of capitals and digits, secrets and tokens of printable ASCII
// without spaces (base64 in practice). Anything else came from a broken or hostile endpoint
// (or a planted cache entry), and is neither cached nor printed into shell code.
const KEY_ID = /^[A-Z0-9]{16,128}$/;
const SECRET = /^[\x21-\x7e]{1,65536}$/;
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/** The first field that does not look like AWS's, or undefined. */
export function malformedField(c: SessionCredentials): keyof SessionCredentials | undefined {
  if (!KEY_ID.test(c.AccessKeyId)) return "AccessKeyId";
  if (!SECRET.test(c.SecretAccessKey)) return "SecretAccessKey";
  if (!SECRET.test(c.SessionToken)) return "SessionToken";
  if (!ISO_TIME.test(c.Expiration) || Number.isNaN(Date.parse(c.Expiration))) return "Expiration";
  return undefined;
}

/** Credentials to sign a call with (long-term keys or a session). */
export interface SourceCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export interface AssumeRoleParams {
  roleArn: string;
  sessionName: string;
  durationSeconds: number;
  externalId?: string;
  serialNumber?: string;
  tokenCode?: string;
}

export interface AssumeRoleOutput {
  credentials: SessionCredentials;
  assumedRoleArn?: string;
}

/** Remembers, per MFA serial, the last TOTP window used (AWS refuses a code twice). */
export interface TotpState {
  lastCounter(serial: string): Promise<number | undefined>;
  remember(serial: string, counter: number): Promise<void>;
}

/**
 * An IAM Identity Center token as the AWS CLI and SDKs cache it (~/.aws/sso/cache). The access
 * token, refresh token and client secret are secrets.
 */
export interface SsoToken {
  accessToken: string;
  /** RFC 3339 */
  expiresAt: string;
  startUrl?: string;
  region?: string;
  refreshToken?: string;
  clientId?: string;
  clientSecret?: string;
  /** RFC 3339; botocore will not refresh without it. */
  registrationExpiresAt?: string;
  /**
   * Set when rolectl registered the client (for the device flow, in this region with these
   * scopes): only such a registration is reused to sign in. The AWS CLI's own (PKCE) clients
   * may not use the device grant.
   */
  rolectlRegistration?: string;
}

/** Where an IAM Identity Center sign-in happens (an [sso-session], or a legacy profile's keys). */
export interface SsoLogin {
  /** The [sso-session NAME]; absent for a legacy profile (sso_start_url in the profile). */
  session?: string;
  startUrl: string;
  region: string;
  /** sso_registration_scopes (sso:account:access when none). */
  scopes: string[];
  /** A legacy profile's name (its sign-in is named by it in hints). */
  profile?: string;
}
