import type { SsoLogin } from "../shared/credentials.js";
import type { Env } from "../shared/env.js";
import { configError } from "../shared/errors.js";
import { REGION_PATTERN } from "../shared/validate.js";
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
  | { kind: "process"; profile: string; command: string }
  /** IAM Identity Center: the first step is the portal's GetRoleCredentials, not AssumeRole. */
  | { kind: "sso"; profile: string; login: SsoLogin; accountId: string; roleName: string }
  /** The first step is AssumeRoleWithWebIdentity with a token read afresh each time. */
  | { kind: "web-identity"; profile: string; token: WebIdentityToken };

/** Where a web identity token comes from: a file (Kubernetes, CI), or the GitHub Actions job. */
export type WebIdentityToken = { file: string } | { githubActionsAudience: string };

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
    // botocore: role_arn with web_identity_token_file is web identity, whatever else is there.
    if (settings.role_arn && settings.web_identity_token_file) {
      roles.push(roleStep(current, settings));
      return resolved({
        kind: "web-identity",
        profile: current,
        token: { file: settings.web_identity_token_file },
      });
    }
    const wantsRole = Boolean(settings.role_arn) && (isTarget || !hasStaticKeys(settings));
    if (!wantsRole) {
      const base = baseSourceOf(shared, current, settings, isTarget);
      // The role the portal hands out is the chain's first step (cached like any other).
      if (base.kind === "sso") roles.push(ssoStep(base));
      return resolved(base);
    }
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

function baseSourceOf(shared: SharedConfig, name: string, p: ProfileSettings, isTarget: boolean): BaseSource {
  // botocore's order for a profile's own credentials: IAM Identity Center, then keys, then a
  // credential_process (a profile left with old keys after `aws configure` still signs in).
  if (p.sso_session || p.sso_start_url || p.sso_account_id) return ssoSource(shared, name, p);
  if (hasStaticKeys(p)) return staticSource(name, p);
  if (p.credential_process) return { kind: "process", profile: name, command: p.credential_process };
  if (p.credential_source) return credentialSourceOf(name, p.credential_source);
  throw configError(
    "no_credentials",
    isTarget
      ? `Profile ${name} has no role_arn and no credentials.`
      : `Source profile ${name} has no credentials (aws_access_key_id / aws_secret_access_key, credential_process or role_arn).`,
  );
}

/** The IAM Identity Center sign-in a profile names: its [sso-session], or (legacy) its own keys. */
export function ssoLoginOf(
  shared: SharedConfig,
  where: string,
  p: ProfileSettings,
  profile?: string,
): SsoLogin {
  let login: Partial<SsoLogin>;
  if (p.sso_session) {
    const session = shared.ssoSessions.get(p.sso_session);
    if (!session)
      throw configError(
        "config_invalid",
        `${where} names sso_session ${p.sso_session}, but ${shared.paths.config} has no [sso-session ${p.sso_session}].`,
      );
    // botocore refuses a profile whose own start URL or region disagrees with its session's.
    for (const key of ["sso_start_url", "sso_region"] as const)
      if (p[key] && session[key] && p[key] !== session[key])
        throw configError(
          "config_invalid",
          `${where}: ${key} differs from the one in [sso-session ${p.sso_session}]; keep one.`,
        );
    login = {
      session: p.sso_session,
      ...(session.sso_start_url ? { startUrl: session.sso_start_url } : {}),
      ...(session.sso_region ? { region: session.sso_region } : {}),
      // botocore's default: without a scope the service issues no refresh token.
      scopes: (session.sso_registration_scopes ?? "sso:account:access")
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean),
    };
  } else {
    login = {
      ...(p.sso_start_url ? { startUrl: p.sso_start_url } : {}),
      ...(p.sso_region ? { region: p.sso_region } : {}),
      scopes: [],
    };
  }
  const missing = [
    ["sso_start_url", login.startUrl],
    ["sso_region", login.region],
  ].filter(([, v]) => !v);
  if (missing.length)
    throw configError(
      "config_invalid",
      `${where} uses IAM Identity Center but is missing ${missing.map(([k]) => k).join(" and ")}${p.sso_session ? ` in [sso-session ${p.sso_session}]` : ""}.`,
    );
  const startUrl = login.startUrl as string;
  if (!/^https:\/\/[^\s/]+/.test(startUrl))
    throw configError("config_invalid", `${where}: sso_start_url must be an https URL.`);
  if (!REGION_PATTERN.test(login.region as string))
    throw configError("config_invalid", `${where}: sso_region must look like us-east-1.`);
  return {
    ...(login.session ? { session: login.session } : {}),
    ...(profile !== undefined && !login.session ? { profile } : {}),
    startUrl,
    region: login.region as string,
    scopes: login.scopes ?? [],
  };
}

function ssoSource(shared: SharedConfig, name: string, p: ProfileSettings): BaseSource {
  const login = ssoLoginOf(shared, `Profile ${name}`, p, name);
  const missing = ["sso_account_id", "sso_role_name"].filter((k) => !p[k]);
  if (missing.length)
    throw configError(
      "config_invalid",
      `Profile ${name} uses IAM Identity Center but is missing ${missing.join(" and ")}.`,
      { hint: "Add them, or run `rolectl sso populate` to write a profile per account and role." },
    );
  const accountId = p.sso_account_id as string;
  if (!/^\d{12}$/.test(accountId))
    throw configError("config_invalid", `Profile ${name}: sso_account_id must be 12 digits.`);
  return { kind: "sso", profile: name, login, accountId, roleName: p.sso_role_name as string };
}

/** The portal's role as a step: its ARN names the role for people (the real one is under aws-reserved/). */
function ssoStep(base: Extract<BaseSource, { kind: "sso" }>): RoleStep {
  const partition = base.login.region.startsWith("cn-")
    ? "aws-cn"
    : base.login.region.startsWith("us-gov-")
      ? "aws-us-gov"
      : "aws";
  return {
    profile: base.profile,
    roleArn: `arn:${partition}:iam::${base.accountId}:role/${base.roleName}`,
    // Set by the permission set, up to 12 h; the portal's Expiration is taken as it comes.
    durationSeconds: 43_200,
  };
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
