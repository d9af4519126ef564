import type { Env } from "../shared/env.js";
import { configError, usageError } from "../shared/errors.js";
import { firstGiven, redactUrl, resolveRegion } from "../shared/validate.js";

export const SERVICES = ["iam", "sts", "amplify", "sso", "sso-oidc"] as const;
export type ServiceName = (typeof SERVICES)[number];

export interface AwsSettings {
  /** The profile the SDK should use, when one was chosen (--profile or AWS_PROFILE). */
  profile?: string;
  region: string;
  /** Endpoint override per service; absent means AWS's own endpoint. */
  endpoints: Partial<Record<ServiceName, string>>;
  maxAttempts: number;
  /** One attempt of a call, connect to last byte (ROLECTL_ATTEMPT_TIMEOUT, seconds). */
  attemptTimeoutMs: number;
  /** A whole call, its retries included (ROLECTL_CALL_TIMEOUT, seconds). */
  callTimeoutMs: number;
  /**
   * The endpoint and defaults settings the SDK would otherwise look up in the config files
   * itself: decided here from the profile rolectl already read, so that no SDK client parses a
   * config of thousands of profiles a second time (it took longer than the rest of a cold call).
   */
  useFipsEndpoint: boolean;
  useDualstackEndpoint: boolean;
  defaultsMode: "legacy" | "standard" | "in-region" | "cross-region" | "mobile" | "auto";
  authSchemePreference: string[];
  /** sdk_ua_app_id: added to the User-Agent (empty for none). */
  userAgentAppId: string;
  disableClockSkewCorrection: boolean;
  /**
   * The parts of the shared files that matter to this profile, as the SDK is to read them (it
   * parses the whole file for every setting it looks up); see config/sdk-view.ts.
   */
  fileViews: FileViewShape[];
}

/** config/sdk-view.ts's FileView, by shape (this layer does not import config). */
export interface FileViewShape {
  path: string;
  source: object;
  sections: { line: number; text: string }[];
}

export interface AwsSettingsInput {
  /** The chosen profile (--profile or AWS_PROFILE), known to exist. */
  profile?: string;
  /** That profile's settings ([default]'s when none was chosen). */
  profileValues: Record<string, string>;
  fileViews?: FileViewShape[];
  region?: string;
  endpointUrl?: string;
  env: Env;
}

// IAM is global and signs in us-east-1 in the aws partition; it is the natural default.
export const DEFAULT_REGION = "us-east-1";
const DEFAULT_MAX_ATTEMPTS = 4;
const DEFAULT_ATTEMPT_TIMEOUT_SECONDS = 30;
const DEFAULT_CALL_TIMEOUT_SECONDS = 90;

/** A whole number of seconds from the environment, 1 to 3600. */
function timeoutFrom(env: Env, name: string, fallback: number): number {
  const text = env[name];
  if (text === undefined || text === "") return fallback * 1000;
  if (!/^\d{1,4}$/.test(text) || Number(text) < 1 || Number(text) > 3600)
    throw configError(
      "config_invalid",
      `Invalid ${name} ${JSON.stringify(text)}: must be whole seconds from 1 to 3600.`,
    );
  return Number(text) * 1000;
}

function checkEndpoint(url: string, source: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.protocol === "http:" || parsed.protocol === "https:") return url;
  } catch {
    // reported below
  }
  throw usageError(
    "invalid_value",
    `Invalid endpoint URL ${JSON.stringify(redactUrl(url))} (${source}): must be an http(s) URL.`,
  );
}

/**
 * Decides region and endpoints from flags, environment and the profile's settings, with the
 * AWS CLI's precedence: flag, then AWS_* variable, then the profile's setting.
 */
export function awsSettingsFrom(input: AwsSettingsInput): AwsSettings {
  const { env, profileValues } = input;
  const region =
    resolveRegion({
      flag: input.region,
      env,
      profileRegion: profileValues.region,
      profileLabel: `region in profile ${input.profile ?? "default"}`,
    }) ?? DEFAULT_REGION;

  const endpoints: AwsSettings["endpoints"] = {};
  for (const service of SERVICES) {
    const serviceVar = `AWS_ENDPOINT_URL_${service.toUpperCase().replace("-", "_")}`;
    // The first source that has a value, named as the user wrote it, so a bad URL is traced.
    const found = firstGiven([
      ["--endpoint-url", input.endpointUrl],
      [serviceVar, env[serviceVar]],
      ["AWS_ENDPOINT_URL", env.AWS_ENDPOINT_URL],
      [`endpoint_url in profile ${input.profile ?? "default"}`, profileValues.endpoint_url],
    ]);
    if (found) endpoints[service] = checkEndpoint(found[1], found[0]);
  }

  const attempts = Number(env.AWS_MAX_ATTEMPTS);
  const maxAttempts =
    Number.isInteger(attempts) && attempts > 0 && attempts <= 10 ? attempts : DEFAULT_MAX_ATTEMPTS;
  // As the SDK reads them: the variable if it is set, else the profile's key; exactly "true" or
  // "false" (anything else is refused, as the SDK refuses it).
  const flag = (envName: string, key: string): boolean => {
    const [source, value] =
      env[envName] !== undefined
        ? [envName, env[envName]]
        : [`${key} in profile ${input.profile ?? "default"}`, profileValues[key]];
    if (value === undefined || value === "true" || value === "false") return value === "true";
    throw configError(
      "config_invalid",
      `Invalid ${source} ${JSON.stringify(value)}: must be "true" or "false".`,
    );
  };
  const modes = ["legacy", "standard", "in-region", "cross-region", "mobile", "auto"] as const;
  const modeSource =
    env.AWS_DEFAULTS_MODE !== undefined
      ? "AWS_DEFAULTS_MODE"
      : `defaults_mode in profile ${input.profile ?? "default"}`;
  const mode = (env.AWS_DEFAULTS_MODE ?? profileValues.defaults_mode ?? "legacy").toLowerCase();
  if (!modes.some((m) => m === mode))
    throw configError(
      "config_invalid",
      `Invalid ${modeSource} ${JSON.stringify(mode)}: must be one of ${modes.join(", ")}.`,
    );
  return {
    ...(input.profile !== undefined ? { profile: input.profile } : {}),
    region,
    endpoints,
    maxAttempts,
    attemptTimeoutMs: timeoutFrom(env, "ROLECTL_ATTEMPT_TIMEOUT", DEFAULT_ATTEMPT_TIMEOUT_SECONDS),
    callTimeoutMs: timeoutFrom(env, "ROLECTL_CALL_TIMEOUT", DEFAULT_CALL_TIMEOUT_SECONDS),
    useFipsEndpoint: flag("AWS_USE_FIPS_ENDPOINT", "use_fips_endpoint"),
    useDualstackEndpoint: flag("AWS_USE_DUALSTACK_ENDPOINT", "use_dualstack_endpoint"),
    defaultsMode: modes.find((m) => m === mode) ?? "legacy",
    authSchemePreference: (env.AWS_AUTH_SCHEME_PREFERENCE ?? profileValues.auth_scheme_preference ?? "")
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean),
    userAgentAppId: (env.AWS_SDK_UA_APP_ID ?? profileValues.sdk_ua_app_id ?? "").trim(),
    disableClockSkewCorrection: flag("AWS_DISABLE_CLOCK_SKEW_CORRECTION", "disable_clock_skew_correction"),
    fileViews: input.fileViews ?? [],
  };
}

/** The settings for a call that is not signed (web identity, IAM Identity Center): no profile. */
export function unsignedSettings(settings: AwsSettings, region = settings.region): AwsSettings {
  const { profile: _unsigned, ...rest } = settings;
  return { ...rest, region };
}
