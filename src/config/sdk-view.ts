import { configSectionProfile, type SharedConfig } from "./files.js";
import type { IniFile } from "./ini.js";

// What the AWS SDK is shown of the shared files. Each SDK client looks settings up in the config
// itself, and parses the whole file for every lookup: with 50,000 profiles that cost seconds.
// rolectl has read the files already, so it hands the SDK the same bytes of the sections that
// can matter to this run (the profile, the profiles it sources from, [default], every
// [sso-session] and [services] section, [DEFAULT]): the SDK reads exactly what it would have for
// this profile, from a few lines.

/** Sections of one file, each with its position there (views of several profiles merge by it). */
export interface FileView {
  path: string;
  /** The file as read (an opaque token): views of one reading merge; a new reading replaces them. */
  source: object;
  sections: { line: number; text: string }[];
}

function viewOf(file: IniFile, keep: (sectionName: string) => boolean): FileView {
  const sections: FileView["sections"] = [];
  for (const s of file.sections) {
    if (!keep(s.name)) continue;
    const lines: string[] = [];
    for (let i = s.headerLine; i <= s.lastLine; i++) lines.push(file.lines[i] ?? "");
    sections.push({ line: s.headerLine, text: `${lines.join("\n")}\n` });
  }
  return { path: file.path, source: file, sections };
}

/** The profiles a profile's credentials come from, itself first (source_profile, followed). */
function chainOf(shared: SharedConfig, profile: string): Set<string> {
  const chain = new Set<string>();
  for (let p: string | undefined = profile; p !== undefined && !chain.has(p); ) {
    chain.add(p);
    p = shared.config.get(p)?.source_profile ?? shared.credentials.get(p)?.source_profile;
  }
  return chain;
}

/**
 * The views for a run with these profiles: the one chosen, and the one AWS_PROFILE names (the
 * SDK looks some settings up there, whatever the client's profile is).
 */
export function sdkFileViews(shared: SharedConfig, profiles: (string | undefined)[]): FileView[] {
  const chain = new Set<string>(["default"]);
  for (const p of profiles) if (p !== undefined) for (const q of chainOf(shared, p)) chain.add(q);
  const views: FileView[] = [];
  if (shared.configFile)
    views.push(
      viewOf(shared.configFile, (name) => {
        const p = configSectionProfile(name);
        return (
          (p !== undefined && chain.has(p)) ||
          name === "DEFAULT" ||
          name.startsWith("sso-session ") ||
          name.startsWith("services ")
        );
      }),
    );
  if (shared.credentialsFile)
    views.push(viewOf(shared.credentialsFile, (name) => chain.has(name) || name === "DEFAULT"));
  return views;
}
