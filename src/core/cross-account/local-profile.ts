import { checkIniValues, editConfigFile, type SectionChange, upsertSection } from "../../config/edit.js";
import { type AwsFilePaths, configSectionProfile, readIniFile } from "../../config/files.js";
import { type IniFile, sectionValues } from "../../config/ini.js";
import { conflictError } from "../../shared/errors.js";
import type { Step } from "../steps.js";

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
  const section = file?.sections.findLast((s) => configSectionProfile(s.name) === profile);
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

/** Keys for the source profile: known now, or only once the access key step has run. */
export type SourceKeys = { accessKeyId: string; secretAccessKey: string };

export interface ProfileWrite {
  paths: AwsFilePaths;
  profile: string;
  sourceProfile: string;
  values: () => Record<string, string>;
  /** Write the source profile's keys too: "new" when a key is about to be created. */
  keys?: SourceKeys | "new";
  keysNow?: () => SourceKeys | undefined;
}

/**
 * Refuses (exit 5, with a masked diff) to overwrite a profile that holds different values, or
 * a source profile that holds other keys when a new key is about to be made. Reads only.
 */
export function checkProfileConflicts(w: ProfileWrite, force: boolean): void {
  // What the files cannot hold is refused first, whatever --force says, before any write.
  checkIniValues({ section: `profile ${w.profile}`, values: w.values() }, w.paths.config);
  if (w.keys && w.keys !== "new")
    checkIniValues(
      {
        section: w.sourceProfile,
        values: { aws_access_key_id: w.keys.accessKeyId, aws_secret_access_key: w.keys.secretAccessKey },
      },
      w.paths.credentials,
    );
  if (force) return;
  const diffs: string[] = [];
  const existing = existingConfigProfile(readIniFile(w.paths.config), w.profile);
  if (existing) diffs.push(...profileDiff(existing, w.values()).map((d) => `[profile ${w.profile}]${d}`));
  const section =
    w.keys && readIniFile(w.paths.credentials)?.sections.find((s) => s.name === w.sourceProfile);
  if (section) {
    const held = sectionValues(section);
    const wanted: Record<string, string> =
      w.keys === "new"
        ? { aws_access_key_id: "(a new key)" }
        : {
            aws_access_key_id: w.keys?.accessKeyId ?? "",
            aws_secret_access_key: w.keys?.secretAccessKey ?? "",
          };
    diffs.push(...profileDiff(held, wanted).map((d) => `[${w.sourceProfile}]${d}`));
  }
  if (diffs.length) {
    throw conflictError(
      "profile_conflict",
      `Profile ${w.profile} already exists with different values:\n${diffs.join("\n")}`,
      {
        hint: "Pass --force to overwrite them, or choose another --local-profile.",
      },
    );
  }
}

export async function editSections(
  path: string,
  changes: SectionChange[],
  options: { mode: number; enforceMode: boolean },
): Promise<boolean> {
  const r = await editConfigFile(
    path,
    (text) => {
      let next = text;
      let changed = false;
      for (const change of changes) {
        const u = upsertSection(next, path, change);
        next = u.text;
        changed ||= u.changed;
      }
      return changed ? next : undefined;
    },
    options,
  );
  return r.written;
}

/**
 * One atomic edit per file (so each .bak is the file as it was before this command): the role
 * profile (with the source profile's region) in the config file, the keys in the credentials file.
 * Each step records "wrote …" or "unchanged …" in `done`.
 */
export function profileWriteSteps(w: ProfileWrite, done: string[]): Step[] {
  const edit = (path: string, names: string, changes: () => SectionChange[], enforceMode: boolean): Step => ({
    description: `write ${names} to ${path}`,
    operation: "file:write",
    target: path,
    run: async () => {
      const written = await editSections(path, changes(), { mode: 0o600, enforceMode });
      done.push(`${written ? "wrote" : "unchanged"} ${names} in ${path}`);
    },
  });
  const region = () => w.values().region;
  // The source profile gets a region only if it has none: someone else's choice is kept.
  const sourceRegion = () =>
    existingConfigProfile(readIniFile(w.paths.config), w.sourceProfile)?.region === undefined
      ? region()
      : undefined;
  const steps = [
    edit(
      w.paths.config,
      `[${configSectionName(w.profile)}]${sourceRegion() ? ` and [${configSectionName(w.sourceProfile)}]` : ""}`,
      () => [
        { section: configSectionName(w.profile), profile: w.profile, values: w.values() },
        ...(sourceRegion()
          ? [
              {
                section: configSectionName(w.sourceProfile),
                profile: w.sourceProfile,
                values: { region: sourceRegion() as string },
              },
            ]
          : []),
      ],
      false,
    ),
  ];
  if (w.keys) {
    steps.push(
      edit(
        w.paths.credentials,
        `[${w.sourceProfile}]`,
        () => {
          const keys = w.keys === "new" ? w.keysNow?.() : w.keys;
          return keys
            ? [
                {
                  section: w.sourceProfile,
                  values: {
                    aws_access_key_id: keys.accessKeyId,
                    aws_secret_access_key: keys.secretAccessKey,
                  },
                },
              ]
            : [];
        },
        true,
      ),
    );
  }
  return steps;
}
