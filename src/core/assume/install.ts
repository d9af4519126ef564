import { editConfigFile, upsertSection } from "../../config/edit.js";
import { configSectionProfile } from "../../config/files.js";
import { usageError } from "../../shared/errors.js";
import { validateProfileName } from "../../shared/validate.js";
import type { Step } from "../steps.js";

/**
 * The profile write behind `assume --install-credential-process NAME`: [profile NAME] gets
 * credential_process = COMMAND, so the AWS CLI and SDKs get the source profile's role from
 * rolectl. Checked before anything is written; the config file keeps its mode or becomes 0600.
 */
export function credentialProcessProfileStep(o: {
  configPath: string;
  name: string;
  sourceProfile: string;
  command: string;
}): Step {
  validateProfileName(o.name, "--install-credential-process");
  const section = o.name === "default" ? "default" : `profile ${o.name}`;
  if (configSectionProfile(section) === o.sourceProfile)
    throw usageError(
      "invalid_value",
      "--install-credential-process must name a new profile, not the source one.",
    );
  return {
    description: `write [${section}] credential_process = ${o.command} to ${o.configPath}`,
    run: () =>
      editConfigFile(
        o.configPath,
        (text) =>
          upsertSection(text, o.configPath, { section, values: { credential_process: o.command } }).text,
        { mode: 0o600 },
      ),
  };
}
