import { configSectionProfile } from "../../config/files.js";
import type { IniFile } from "../../config/ini.js";
import { sectionValues } from "../../config/ini.js";

// Part 3 of seed 001: the profiles on the developer's machine.

export interface LocalProfileInput {
  profile: string;
  roleArn: string;
  sourceProfile: string;
  mfaSerial?: string;
  externalId?: string;
  region?: string;
  roleSessionName?: string;
  durationSeconds?: number;
}

export function roleProfileValues(i: LocalProfileInput): Record<string, string> {
  return {
    role_arn: i.roleArn,
    source_profile: i.sourceProfile,
    ...(i.mfaSerial ? { mfa_serial: i.mfaSerial } : {}),
    ...(i.externalId ? { external_id: i.externalId } : {}),
    ...(i.region ? { region: i.region } : {}),
    ...(i.roleSessionName ? { role_session_name: i.roleSessionName } : {}),
    ...(i.durationSeconds ? { duration_seconds: String(i.durationSeconds) } : {}),
  };
}

export const configSectionName = (profile: string) =>
  profile === "default" ? "default" : `profile ${profile}`;

/** The values of a config-file profile, or undefined when absent. */
export function existingConfigProfile(
  file: IniFile | undefined,
  profile: string,
): Record<string, string> | undefined {
  const section = file?.sections.find((s) => configSectionProfile(s.name) === profile);
  return section ? sectionValues(section) : undefined;
}

const SECRET_KEYS = new Set(["aws_secret_access_key", "aws_session_token"]);
const mask = (key: string, value: string | undefined) =>
  value === undefined ? "(none)" : SECRET_KEYS.has(key) ? `****${value.slice(-4)}` : value;

/** Keys whose values would change: a diff for the conflict message (secrets masked). */
export function profileDiff(existing: Record<string, string>, desired: Record<string, string>): string[] {
  return Object.keys(desired)
    .filter((k) => existing[k] !== undefined && existing[k] !== desired[k])
    .map((k) => `  ${k}: ${mask(k, existing[k])} -> ${mask(k, desired[k])}`);
}
