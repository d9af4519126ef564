import { join } from "node:path";
import { readRegularFile } from "../fs/private-file.js";
import type { Env } from "../shared/env.js";
import { configError } from "../shared/errors.js";
import { splitShellWords } from "../shared/shell-words.js";
import { type IniFile, parseIni, sectionValues } from "./ini.js";

export interface AwsFilePaths {
  config: string;
  credentials: string;
}

function expandHome(path: string, home: string): string {
  return path === "~" || path.startsWith("~/") ? join(home, path.slice(1)) : path;
}

/** Where the AWS CLI would look: AWS_CONFIG_FILE / AWS_SHARED_CREDENTIALS_FILE or ~/.aws. */
export function awsFilePaths(env: Env, home: string): AwsFilePaths {
  return {
    config: expandHome(env.AWS_CONFIG_FILE || "~/.aws/config", home),
    credentials: expandHome(env.AWS_SHARED_CREDENTIALS_FILE || "~/.aws/credentials", home),
  };
}

/**
 * Reads and parses one file; a missing file is `undefined`, an unreadable one a config error.
 * Synchronous on purpose: a few KB read once, and the cache-hit path starts faster without
 * the promise machinery of fs/promises.
 */
export function readIniFile(path: string): IniFile | undefined {
  const text = readConfigText(path);
  return text === undefined ? undefined : parseIni(text, path);
}

/** A config or credentials file's text; undefined when absent. */
export function readConfigText(path: string): string | undefined {
  try {
    return readRegularFile(path, MAX_FILE_BYTES);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why =
      code === "ENOTREG"
        ? "not a regular file"
        : code === "EFBIG"
          ? `larger than ${MAX_FILE_BYTES / 1024 / 1024} MB`
          : (code ?? (err as Error).message);
    throw configError("config_unreadable", `Cannot read ${path}: ${why}.`, {
      hint: "Check the file's permissions, or point AWS_CONFIG_FILE / AWS_SHARED_CREDENTIALS_FILE elsewhere.",
      cause: err,
    });
  }
}

// Ten times a config of 50,000 profiles: anything larger is not a config file.
const MAX_FILE_BYTES = 64 * 1024 * 1024;

export type ProfileSettings = Record<string, string>;

export interface SharedConfig {
  paths: AwsFilePaths;
  /** Profiles from the config file: [default] and [profile NAME]. */
  config: Map<string, ProfileSettings>;
  /** Profiles from the credentials file: [NAME]. */
  credentials: Map<string, ProfileSettings>;
  /** [sso-session NAME] sections of the config file. */
  ssoSessions: Map<string, ProfileSettings>;
  configFile?: IniFile;
  credentialsFile?: IniFile;
}

/**
 * Profile name of a config-file section, or undefined for other kinds ([sso-session x],
 * [services x]). botocore's rule: `default`, or a name starting with "profile" that splits
 * (shell-style, so `[profile "my team"]` is `my team`) into exactly two words.
 */
export function configSectionProfile(sectionName: string): string | undefined {
  if (sectionName === "default") return "default";
  return namedSection(sectionName, "profile");
}

/** The name of an [sso-session NAME] section, by the same rule. */
export const configSectionSsoSession = (sectionName: string): string | undefined =>
  namedSection(sectionName, "sso-session");

function namedSection(sectionName: string, kind: string): string | undefined {
  if (!sectionName.startsWith(kind)) return undefined;
  try {
    const words = splitShellWords(sectionName, "section name");
    return words.length === 2 ? words[1] : undefined; // botocore checks only the prefix
  } catch {
    return undefined; // unbalanced quotes: not a section of that kind, as botocore skips it
  }
}

export function sharedConfigFrom(
  paths: AwsFilePaths,
  configFile?: IniFile,
  credentialsFile?: IniFile,
): SharedConfig {
  // configparser's [DEFAULT] section lends its keys to every section of that file (botocore
  // reads `region` from it, for one); it is not a profile itself.
  const defaultsOf = (file?: IniFile) => {
    const section = file?.sections.find((s) => s.name === "DEFAULT");
    return section ? sectionValues(section) : {};
  };
  const configDefaults = defaultsOf(configFile);
  const config = new Map<string, ProfileSettings>();
  for (const section of configFile?.sections ?? []) {
    const name = configSectionProfile(section.name);
    // `[profile default]` and `[default]` both name the default profile: as in botocore, the
    // later section wins whole (no merging).
    if (name !== undefined) config.set(name, { ...configDefaults, ...sectionValues(section) });
  }
  const ssoSessions = new Map<string, ProfileSettings>();
  for (const section of configFile?.sections ?? []) {
    const name = configSectionSsoSession(section.name);
    if (name !== undefined) ssoSessions.set(name, sectionValues(section));
  }
  const credentialDefaults = defaultsOf(credentialsFile);
  const credentials = new Map<string, ProfileSettings>();
  for (const section of credentialsFile?.sections ?? [])
    if (section.name !== "DEFAULT")
      credentials.set(section.name, { ...credentialDefaults, ...sectionValues(section) });
  return {
    paths,
    config,
    credentials,
    ssoSessions,
    ...(configFile ? { configFile } : {}),
    ...(credentialsFile ? { credentialsFile } : {}),
  };
}

export function loadSharedConfig(paths: AwsFilePaths): SharedConfig {
  return sharedConfigFrom(paths, readIniFile(paths.config), readIniFile(paths.credentials));
}

export function profileExists(shared: SharedConfig, name: string): boolean {
  return shared.config.has(name) || shared.credentials.has(name);
}

/** Settings of a profile merged the way the CLI does: config-file values, then credentials-file keys. */
export function profileSettings(shared: SharedConfig, name: string): ProfileSettings | undefined {
  if (!profileExists(shared, name)) return undefined;
  return { ...shared.config.get(name), ...shared.credentials.get(name) };
}

export function listProfiles(shared: SharedConfig): string[] {
  return [...new Set([...shared.config.keys(), ...shared.credentials.keys()])].sort();
}
