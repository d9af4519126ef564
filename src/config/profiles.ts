import type { Env } from "../shared/env.js";
import { configError } from "../shared/errors.js";
import { listProfiles, type ProfileSettings, profileSettings, type SharedConfig } from "./files.js";

// Resolves a profile into "where the first credentials come from" plus the roles to assume
// from there, with the AWS CLI's rules (botocore's AssumeRoleProvider):
// - a profile with role_arn takes its source from source_profile or credential_source;
// - a *source* profile with static keys uses the keys, even if it also has role_arn;
// - source_profile naming itself (or absent, with keys in the same profile) uses its own keys;
// - chains may be any depth; a cycle is an error that shows the chain.

export type BaseSource =
  | { kind: "static"; profile: string; accessKeyId: string; secretAccessKey: string; sessionToken?: string }
  | { kind: "environment"; profile: string }
  | { kind: "process"; profile: string; command: string };

export interface RoleStep {
  profile: string;
  roleArn: string;
  mfaSerial?: string;
  externalId?: string;
  /** As configured; a default is made when assuming (and left out of cache keys). */
  sessionName?: string;
  durationSeconds?: number;
  mfaProcess?: string;
}

export interface ResolvedProfile {
  name: string;
  base: BaseSource;
  /** Roles to assume in order, from the base outward; the last one is the profile's own. */
  roles: RoleStep[];
  region?: string;
}

const UNSUPPORTED_SOURCES: Record<string, string> = {
  Ec2InstanceMetadata: "instance metadata (IMDS)",
  EcsContainer: "the ECS container endpoint",
};

const hasStaticKeys = (p: ProfileSettings) => Boolean(p.aws_access_key_id && p.aws_secret_access_key);

function staticSource(name: string, p: ProfileSettings): BaseSource {
  return {
    kind: "static",
    profile: name,
    accessKeyId: p.aws_access_key_id ?? "",
    secretAccessKey: p.aws_secret_access_key ?? "",
    ...(p.aws_session_token ? { sessionToken: p.aws_session_token } : {}),
  };
}

function parseDurationSetting(profile: string, value: string | undefined): number | undefined {
  if (value === undefined || value === "") return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 900 || n > 43200) {
    throw configError(
      "config_invalid",
      `Profile ${profile}: duration_seconds = ${JSON.stringify(value)} must be 900-43200.`,
    );
  }
  return n;
}

function roleStep(name: string, p: ProfileSettings): RoleStep {
  const duration = parseDurationSetting(name, p.duration_seconds);
  return {
    profile: name,
    roleArn: p.role_arn ?? "",
    ...(p.mfa_serial ? { mfaSerial: p.mfa_serial } : {}),
    ...(p.external_id ? { externalId: p.external_id } : {}),
    ...(p.role_session_name ? { sessionName: p.role_session_name } : {}),
    ...(duration ? { durationSeconds: duration } : {}),
    ...(p.mfa_process ? { mfaProcess: p.mfa_process } : {}),
  };
}

function missingProfile(shared: SharedConfig, name: string, referrer?: string) {
  const known = listProfiles(shared);
  return configError(
    "profile_not_found",
    referrer
      ? `Profile ${referrer} names source_profile ${name}, which is not in ${shared.paths.config} or ${shared.paths.credentials}.`
      : `Profile "${name}" is not in ${shared.paths.config} or ${shared.paths.credentials}.`,
    {
      hint: known.length
        ? `Known profiles: ${known.join(", ")}.`
        : "No profiles are configured; create one with `aws configure --profile NAME` or `rolectl cross-account setup`.",
    },
  );
}

/** A profile's merged settings; a missing profile is a configuration error listing the known ones. */
export function requireProfile(shared: SharedConfig, name: string): ProfileSettings {
  const settings = profileSettings(shared, name);
  if (!settings) throw missingProfile(shared, name);
  return settings;
}

export function resolveProfile(shared: SharedConfig, name: string): ResolvedProfile {
  const target = profileSettings(shared, name);
  if (!target) throw missingProfile(shared, name);
  const roles: RoleStep[] = [];
  const visited: string[] = [];
  let current = name;
  let settings = target;
  let isTarget = true;
  // Roles were collected from the profile outward; they are assumed from the base inward.
  const resolved = (base: BaseSource): ResolvedProfile => ({
    name,
    base,
    roles: [...roles].reverse(),
    ...(target.region ? { region: target.region } : {}),
  });

  for (;;) {
    visited.push(current);
    const wantsRole = Boolean(settings.role_arn) && (isTarget || !hasStaticKeys(settings));
    if (!wantsRole) return resolved(baseSourceOf(current, settings, isTarget));
    roles.push(roleStep(current, settings));
    const source = settings.source_profile;
    const credentialSource = settings.credential_source;
    if (source && credentialSource) {
      throw configError(
        "config_invalid",
        `Profile ${current} sets both source_profile and credential_source; keep one.`,
      );
    }
    if (credentialSource) return resolved(credentialSourceOf(current, credentialSource));
    if (!source || source === current) {
      // The role's own keys are its source (botocore allows a self-referencing source_profile).
      if (!hasStaticKeys(settings)) {
        throw configError(
          "config_invalid",
          `Profile ${current} has role_arn but no source_profile, credential_source or keys of its own.`,
          { hint: `Add source_profile = <profile with keys> to [profile ${current}].` },
        );
      }
      return resolved(staticSource(current, settings));
    }
    if (visited.includes(source)) {
      throw configError("profile_cycle", `Profile cycle: ${[...visited, source].join(" -> ")}.`, {
        hint: "Point one of these profiles' source_profile at a profile with keys.",
      });
    }
    const next = profileSettings(shared, source);
    if (!next) throw missingProfile(shared, source, current);
    current = source;
    settings = next;
    isTarget = false;
  }
}

function baseSourceOf(name: string, p: ProfileSettings, isTarget: boolean): BaseSource {
  if (hasStaticKeys(p)) return staticSource(name, p);
  if (p.credential_process) return { kind: "process", profile: name, command: p.credential_process };
  if (p.credential_source) return credentialSourceOf(name, p.credential_source);
  if (p.sso_session || p.sso_start_url) {
    throw configError(
      "unsupported_source",
      `Profile ${name} uses IAM Identity Center (SSO), which rolectl does not log in to.`,
      {
        hint: `Run \`aws sso login --profile ${name}\` and use a credential_process, or give the profile keys.`,
      },
    );
  }
  throw configError(
    "no_credentials",
    isTarget
      ? `Profile ${name} has no role_arn and no credentials.`
      : `Source profile ${name} has no credentials (aws_access_key_id / aws_secret_access_key, credential_process or role_arn).`,
  );
}

function credentialSourceOf(profile: string, source: string): BaseSource {
  if (source === "Environment") return { kind: "environment", profile };
  const what = UNSUPPORTED_SOURCES[source];
  throw configError(
    "unsupported_source",
    what
      ? `Profile ${profile}: credential_source = ${source} (${what}) is not supported by rolectl.`
      : `Profile ${profile}: unknown credential_source ${JSON.stringify(source)}; the AWS CLI knows Environment, Ec2InstanceMetadata and EcsContainer.`,
    { hint: "Use credential_source = Environment, source_profile, or run rolectl where keys are available." },
  );
}

/** Environment credentials for credential_source = Environment. */
export function environmentCredentials(env: Env) {
  const accessKeyId = env.AWS_ACCESS_KEY_ID;
  const secretAccessKey = env.AWS_SECRET_ACCESS_KEY;
  if (!accessKeyId || !secretAccessKey) return undefined;
  const sessionToken = env.AWS_SESSION_TOKEN || env.AWS_SECURITY_TOKEN;
  return { accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) };
}
