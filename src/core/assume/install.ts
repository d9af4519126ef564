import { checkIniValues, editConfigFile, upsertSection } from "../../config/edit.js";
import { configSectionProfile, readIniFile } from "../../config/files.js";
import { conflictError, usageError } from "../../shared/errors.js";
import { validateProfileName } from "../../shared/validate.js";
import { existingConfigProfile } from "../cross-account/local-profile.js";
import type { Step } from "../steps.js";

// `assume --install-credential-process NAME`: [profile NAME] gets credential_process = COMMAND
// and the source profile's region, so the AWS CLI and SDKs get the role through rolectl.

/** Keys that would compete with credential_process (the AWS CLI would use them instead). */
const COMPETING = [
  "role_arn",
  "source_profile",
  "credential_source",
  "external_id",
  "mfa_serial",
  "role_session_name",
  "duration_seconds",
  "aws_access_key_id",
  "aws_secret_access_key",
  "aws_session_token",
  "web_identity_token_file",
  "sso_session",
  "sso_start_url",
  "sso_region",
  "sso_account_id",
  "sso_role_name",
];

/**
 * Checked before anything is written: NAME must not be the source profile, and an existing
 * profile of that name is refused (exit 5) unless `force`, which replaces what would compete.
 */
export function credentialProcessProfileStep(o: {
  configPath: string;
  credentialsPath: string;
  name: string;
  sourceProfile: string;
  command: string;
  region?: string;
  force: boolean;
}): Step {
  validateProfileName(o.name, "--install-credential-process");
  const section = o.name === "default" ? "default" : `profile ${o.name}`;
  if (configSectionProfile(section) === o.sourceProfile)
    throw usageError(
      "invalid_value",
      "--install-credential-process must name a new profile, not the source one.",
    );
  // Keys for that name in the credentials file win over credential_process in the AWS CLI.
  const keys = readIniFile(o.credentialsPath)?.sections.find((s) => s.name === o.name);
  if (keys?.entries.has("aws_access_key_id"))
    throw conflictError(
      "profile_conflict",
      `Profile ${o.name} has keys in ${o.credentialsPath}; the AWS CLI would use them, not credential_process.`,
      { hint: "Pick another name for --install-credential-process (rolectl does not delete keys)." },
    );
  const values = { credential_process: o.command, ...(o.region ? { region: o.region } : {}) };
  checkIniValues({ section, values }, o.configPath);
  const existing = existingConfigProfile(readIniFile(o.configPath), o.name);
  const same = existing && Object.entries(values).every(([k, v]) => existing[k] === v);
  const competing = existing ? COMPETING.filter((k) => k in existing) : [];
  if (existing && !o.force && (!same || competing.length)) {
    const now = Object.entries(existing)
      .filter(([k]) => !k.startsWith("aws_secret") && k !== "aws_session_token")
      .map(([k, v]) => `${k} = ${v}`)
      .join(", ");
    throw conflictError("profile_conflict", `Profile ${o.name} already exists (${now || "empty"}).`, {
      hint: "Pick a new name for --install-credential-process, or pass --force to replace that profile.",
    });
  }
  return {
    description: `write [${section}] credential_process = ${o.command}${o.region ? `, region = ${o.region}` : ""} to ${o.configPath}`,
    operation: "file:write",
    target: o.configPath,
    run: () =>
      editConfigFile(
        o.configPath,
        (text) =>
          upsertSection(text, o.configPath, { section, profile: o.name, values, remove: COMPETING }).text,
        { mode: 0o600 },
      ),
  };
}
