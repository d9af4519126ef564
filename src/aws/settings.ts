import type { Env, SharedConfig } from "../config/files.js";
import { listProfiles, profileExists, profileSettings } from "../config/files.js";
import { configError, usageError } from "../core/errors.js";

export type ServiceName = "iam" | "sts" | "amplify";

export interface AwsSettings {
  /** The profile the SDK should use, when one was chosen (--profile or AWS_PROFILE). */
  profile?: string;
  region: string;
  /** Endpoint override per service; absent means AWS's own endpoint. */
  endpoints: Partial<Record<ServiceName, string>>;
  maxAttempts: number;
}

export interface AwsSettingsInput {
  profile?: string;
  region?: string;
  endpointUrl?: string;
  env: Env;
  shared: SharedConfig;
}

// IAM is global and signs in us-east-1 in the aws partition; it is the natural default.
export const DEFAULT_REGION = "us-east-1";
const DEFAULT_MAX_ATTEMPTS = 4;

function checkEndpoint(url: string, source: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.protocol === "http:" || parsed.protocol === "https:") return url;
  } catch {
    // reported below
  }
  throw usageError(
    "invalid_value",
    `Invalid endpoint URL ${JSON.stringify(url)} (${source}): must be an http(s) URL.`,
  );
}

/**
 * Decides profile, region and endpoints from flags, environment and the shared config, with
 * the AWS CLI's precedence: flag, then AWS_* variable, then the profile's setting.
 */
export function resolveAwsSettings(input: AwsSettingsInput): AwsSettings {
  const { env, shared } = input;
  const profile = input.profile ?? (env.AWS_PROFILE || undefined);
  if (profile !== undefined && !profileExists(shared, profile)) {
    const known = listProfiles(shared);
    throw configError(
      "profile_not_found",
      `Profile "${profile}" is not in ${shared.paths.config} or ${shared.paths.credentials}.`,
      {
        hint: known.length
          ? `Known profiles: ${known.join(", ")}.`
          : "No profiles are configured; create one with `aws configure --profile NAME` or `rolectl cross-account setup`.",
      },
    );
  }
  const fromProfile = profileSettings(shared, profile ?? "default") ?? {};
  const region =
    input.region || env.AWS_REGION || env.AWS_DEFAULT_REGION || fromProfile.region || DEFAULT_REGION;

  const endpoints: AwsSettings["endpoints"] = {};
  for (const service of ["iam", "sts", "amplify"] as const) {
    const envName = `AWS_ENDPOINT_URL_${service.toUpperCase()}`;
    const url = input.endpointUrl ?? (env[envName] || env.AWS_ENDPOINT_URL || fromProfile.endpoint_url);
    if (url) endpoints[service] = checkEndpoint(url, input.endpointUrl ? "--endpoint-url" : envName);
  }

  const attempts = Number(env.AWS_MAX_ATTEMPTS);
  const maxAttempts =
    Number.isInteger(attempts) && attempts > 0 && attempts <= 10 ? attempts : DEFAULT_MAX_ATTEMPTS;
  return { ...(profile !== undefined ? { profile } : {}), region, endpoints, maxAttempts };
}
