import { configError } from "../shared/errors.js";

// A line-preserving reader for the AWS shared config/credentials format, with botocore's
// rules: '#'/';' comment lines, case-insensitive keys, nested sub-sections (a key with an
// empty value followed by indented "k = v" lines), and duplicate sections or keys rejected
// (botocore's RawConfigParser is strict, so the AWS CLI refuses such files too).

export interface IniEntry {
  key: string;
  value: string;
  /** 0-based index of the key's line. */
  line: number;
  /** Nested settings (e.g. `s3 =` followed by indented lines). */
  sub?: Record<string, string>;
  /** Columns of indentation of the key's line (deeper lines continue it, as in configparser). */
  indent: number;
}

export interface IniSection {
  name: string;
  /** 0-based index of the header line. */
  headerLine: number;
  /** 0-based index of the last line holding one of this section's settings (or the header). */
  lastLine: number;
  entries: Map<string, IniEntry>;
}

export interface IniFile {
  path: string;
  lines: string[];
  /** What ends each line ("" for the last): a file's mixed line ends are kept as they are. */
  eols: string[];
  /** The file's usual line end, for new lines. */
  eol: "\n" | "\r\n";
  hadBom: boolean;
  sections: IniSection[];
}

export function parseIni(text: string, path: string): IniFile {
  const hadBom = text.startsWith("\uFEFF");
  const body = hadBom ? text.slice(1) : text;
  const parts = body.split(/(\r?\n)/);
  const lines = parts.filter((_, i) => i % 2 === 0);
  const eols = lines.map((_, i) => parts[2 * i + 1] ?? "");
  const crlf = eols.filter((e) => e === "\r\n").length;
  const eol = crlf > eols.filter((e) => e === "\n").length ? "\r\n" : "\n";
  const sections: IniSection[] = [];
  // Sections by name: a duplicate is found in one lookup (a scan made parsing quadratic).
  const byName = new Map<string, IniSection>();
  let section: IniSection | undefined;
  let entry: IniEntry | undefined;

  const fail = (index: number, what: string): never => {
    throw configError("config_parse", `${path}:${index + 1}: ${what}.`, {
      hint: "Fix or remove that line; the AWS CLI rejects this file too.",
    });
  };

  // Blank lines inside a multi-line value are part of it when more of the value follows
  // (configparser's empty_lines_in_values); trailing ones are not.
  let blanks = 0;
  for (const [i, raw] of lines.entries()) {
    const trimmed = raw.trim();
    if (trimmed === "") {
      blanks++;
      continue;
    }
    if (trimmed.startsWith("#") || trimmed.startsWith(";")) continue;
    const blanksBefore = blanks;
    blanks = 0;

    const indent = raw.length - raw.trimStart().length;
    // A deeper-indented line continues the key above it (configparser's rule, which botocore
    // uses); at the key's own depth or after a header it starts a new key.
    if (entry && section && indent > entry.indent) {
      section.lastLine = i;
      if (entry.sub) {
        const kv = splitKeyValue(trimmed);
        if (!kv) fail(i, `expected "key = value" in the nested settings of ${entry.key}`);
        entry.sub[(kv as [string, string])[0]] = (kv as [string, string])[1];
      } else {
        entry.value = `${entry.value}${"\n".repeat(blanksBefore + 1)}${trimmed}`;
      }
      continue;
    }

    if (trimmed.startsWith("[")) {
      // As configparser reads it: everything between the first [ and the last ], spaces kept.
      const m = /^\[(.+)\]/.exec(trimmed);
      // The line itself is never quoted: these files hold secrets, and a pasted key can be any line.
      if (!m || !m[1]) fail(i, `malformed section header (a "[" with no closing "]")`);
      const name = (m as RegExpExecArray)[1] as string;
      const dup = byName.get(name);
      if (dup) fail(i, `duplicate section [${name}] (first at line ${dup.headerLine + 1})`);
      section = { name, headerLine: i, lastLine: i, entries: new Map() };
      sections.push(section);
      byName.set(name, section);
      entry = undefined;
      continue;
    }

    const kv = splitKeyValue(trimmed);
    if (!kv)
      fail(
        i,
        `expected "key = value", a [section] header or a comment (the line is not shown: it may hold a secret)`,
      );
    if (!section) fail(i, "a setting appears before any [section] header");
    const [key, value] = kv as [string, string];
    const current = section as IniSection;
    const dup = current.entries.get(key);
    if (dup) fail(i, `duplicate key "${key}" in [${current.name}] (first at line ${dup.line + 1})`);
    entry = { key, value, line: i, indent, ...(value === "" ? { sub: {} } : {}) };
    current.entries.set(key, entry);
    current.lastLine = i;
  }
  return { path, lines, eols, eol, hadBom, sections };
}

function splitKeyValue(line: string): [string, string] | undefined {
  const eq = line.indexOf("=");
  const colon = line.indexOf(":");
  const at = eq < 0 ? colon : colon < 0 ? eq : Math.min(eq, colon);
  if (at <= 0) return undefined;
  const key = line.slice(0, at).trim().toLowerCase();
  if (key === "") return undefined;
  return [key, line.slice(at + 1).trim()];
}

/** The flat key -> value view of a section (nested sub-sections left out). */
export function sectionValues(section: IniSection): Record<string, string> {
  const out: Record<string, string> = {};
  // `key =` with nothing nested under it is an empty value, as botocore keeps it.
  for (const [key, e] of section.entries) if (!e.sub || Object.keys(e.sub).length === 0) out[key] = e.value;
  return out;
}
