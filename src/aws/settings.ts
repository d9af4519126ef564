import type { Env } from "../shared/env.js";
import { usageError } from "../shared/errors.js";

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
  /** The chosen profile (--profile or AWS_PROFILE), known to exist. */
  profile?: string;
  /** That profile's settings ([default]'s when none was chosen). */
  profileValues: Record<string, string>;
  region?: string;
  endpointUrl?: string;
  env: Env;
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
 * Decides region and endpoints from flags, environment and the profile's settings, with the
 * AWS CLI's precedence: flag, then AWS_* variable, then the profile's setting.
 */
export function awsSettingsFrom(input: AwsSettingsInput): AwsSettings {
  const { env, profileValues } = input;
  const region =
    input.region || env.AWS_REGION || env.AWS_DEFAULT_REGION || profileValues.region || DEFAULT_REGION;

  const endpoints: AwsSettings["endpoints"] = {};
  for (const service of ["iam", "sts", "amplify"] as const) {
    const serviceVar = `AWS_ENDPOINT_URL_${service.toUpperCase()}`;
    // The first source that has a value, named as the user wrote it, so a bad URL is traced.
    const [source, url] = (
      [
        ["--endpoint-url", input.endpointUrl],
        [serviceVar, env[serviceVar]],
        ["AWS_ENDPOINT_URL", env.AWS_ENDPOINT_URL],
        [`endpoint_url in profile ${input.profile ?? "default"}`, profileValues.endpoint_url],
      ] as const
    ).find(([, value]) => value) ?? ["", undefined];
    if (url) endpoints[service] = checkEndpoint(url, source);
  }

  const attempts = Number(env.AWS_MAX_ATTEMPTS);
  const maxAttempts =
    Number.isInteger(attempts) && attempts > 0 && attempts <= 10 ? attempts : DEFAULT_MAX_ATTEMPTS;
  return {
    ...(input.profile !== undefined ? { profile: input.profile } : {}),
    region,
    endpoints,
    maxAttempts,
  };
}
