import { type AwsSettings, awsSettingsFrom } from "../aws/settings.js";
import { profileSettings, type SharedConfig } from "../config/files.js";
import { requireProfile } from "../config/profiles.js";
import { sdkFileViews } from "../config/sdk-view.js";
import { type Env, profileFromEnv } from "../shared/env.js";

export interface AwsSettingsRequest {
  /** --profile; AWS_PROFILE applies when absent. */
  profile?: string;
  region?: string;
  endpointUrl?: string;
  env: Env;
  shared: SharedConfig;
}

/** Profile (which must exist), region and endpoints for the AWS clients of one profile. */
export function resolveAwsSettings(input: AwsSettingsRequest): AwsSettings {
  const profile = input.profile ?? profileFromEnv(input.env);
  const profileValues =
    profile === undefined
      ? (profileSettings(input.shared, "default") ?? {})
      : requireProfile(input.shared, profile);
  return awsSettingsFrom({
    ...(profile !== undefined ? { profile } : {}),
    ...(input.region !== undefined ? { region: input.region } : {}),
    ...(input.endpointUrl !== undefined ? { endpointUrl: input.endpointUrl } : {}),
    env: input.env,
    profileValues,
    fileViews: sdkFileViews(input.shared, [profile, input.env.AWS_PROFILE || undefined]),
  });
}
