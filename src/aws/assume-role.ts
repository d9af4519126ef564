import type { AssumeRoleOutput, AssumeRoleParams, SourceCredentials } from "../shared/credentials.js";
import { RolectlError } from "../shared/errors.js";
import { createStsClient } from "./clients.js";
import { type AwsSettings, unsignedSettings } from "./settings.js";

/** STS AssumeRole with explicit source credentials (never the SDK's own profile chain). */
export function createAssumeRole(settings: AwsSettings, debug?: (line: string) => void) {
  // Signed with the source given, never the SDK's profile chain.
  const withoutProfile = unsignedSettings(settings);
  return async (source: SourceCredentials, params: AssumeRoleParams): Promise<AssumeRoleOutput> => {
    const { AssumeRoleCommand } = await import("@aws-sdk/client-sts");
    const sts = await createStsClient({
      settings: withoutProfile,
      credentials: source,
      ...(debug ? { debug } : {}),
    });
    const out = await sts.send(
      new AssumeRoleCommand({
        RoleArn: params.roleArn,
        RoleSessionName: params.sessionName,
        DurationSeconds: params.durationSeconds,
        ...(params.externalId ? { ExternalId: params.externalId } : {}),
        ...(params.serialNumber ? { SerialNumber: params.serialNumber, TokenCode: params.tokenCode } : {}),
      }),
    );
    return credentialsOf(out, "sts:AssumeRole");
  };
}

/** STS AssumeRoleWithWebIdentity: unsigned, the token is the proof. */
export function createAssumeRoleWithWebIdentity(settings: AwsSettings, debug?: (line: string) => void) {
  const withoutProfile = unsignedSettings(settings);
  return async (token: string, params: AssumeRoleParams): Promise<AssumeRoleOutput> => {
    const { AssumeRoleWithWebIdentityCommand } = await import("@aws-sdk/client-sts");
    const sts = await createStsClient({ settings: withoutProfile, ...(debug ? { debug } : {}) });
    const out = await sts.send(
      new AssumeRoleWithWebIdentityCommand({
        RoleArn: params.roleArn,
        RoleSessionName: params.sessionName,
        DurationSeconds: params.durationSeconds,
        WebIdentityToken: token,
      }),
    );
    return credentialsOf(out, "sts:AssumeRoleWithWebIdentity");
  };
}

function credentialsOf(
  out: {
    Credentials?: {
      AccessKeyId?: string;
      SecretAccessKey?: string;
      SessionToken?: string;
      Expiration?: Date;
    };
    AssumedRoleUser?: { Arn?: string };
  },
  operation: string,
): AssumeRoleOutput {
  const c = out.Credentials;
  if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken || !c.Expiration) {
    throw new RolectlError("aws_error", `${operation} returned no credentials.`);
  }
  return {
    credentials: {
      AccessKeyId: c.AccessKeyId,
      SecretAccessKey: c.SecretAccessKey,
      SessionToken: c.SessionToken,
      Expiration: c.Expiration.toISOString(),
    },
    ...(out.AssumedRoleUser?.Arn ? { assumedRoleArn: out.AssumedRoleUser.Arn } : {}),
  };
}
