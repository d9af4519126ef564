// Credential shapes shared by the cache, the AWS adapters and the credential chain.

/** Temporary credentials as AWS and credential_process spell them. */
export interface SessionCredentials {
  AccessKeyId: string;
  SecretAccessKey: string;
  SessionToken: string;
  /** ISO-8601 */
  Expiration: string;
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
