import type { AssumeRoleOutput, AssumeRoleParams, SourceCredentials } from "../shared/credentials.js";
import { RolectlError } from "../shared/errors.js";
import { createStsClient } from "./clients.js";
import type { AwsSettings } from "./settings.js";

/** STS AssumeRole with explicit source credentials (never the SDK's own profile chain). */
export function createAssumeRole(settings: AwsSettings, debug?: (line: string) => void) {
  const { profile: _ignored, ...withoutProfile } = settings;
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
    const c = out.Credentials;
    if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken || !c.Expiration) {
      throw new RolectlError("aws_error", "sts:AssumeRole returned no credentials.");
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
  };
}
