import { realpath, stat } from "node:fs/promises";
import { basename, dirname } from "node:path";
import { sweepStaleTempFiles, writeFileAtomic } from "../fs/atomic.js";
import { makeDirs } from "../fs/dirs.js";
import { acquireLock } from "../fs/lock.js";
import { configError, usageError } from "../shared/errors.js";
import { configSectionProfile, readConfigText } from "./files.js";
import { parseIni } from "./ini.js";

// Edits of ~/.aws/config and ~/.aws/credentials that keep every other line, comment and the
// order byte for byte: only the lines of the one section touched change. Writes take a lock
// (concurrent edits of different profiles must not lose each other), keep a .bak copy, and
// replace the file atomically.

export interface SectionChange {
  /** "profile bizcorprole" in config, "devcorpuser" in credentials. */
  section: string;
  values: Record<string, string>;
  /** Keys to take out of the section (with their continuation lines). */
  remove?: string[];
  /**
   * A config-file profile: any header that names it counts (`[profile "x"]` is profile x, as in
   * botocore), and the last one wins, so an edit never adds a second section for the same profile.
   */
  profile?: string;
}

export interface UpsertResult {
  text: string;
  changed: boolean;
  /** The section's flat values before the change (undefined: it did not exist). */
  previous?: Record<string, string>;
}

/** Sets keys of one section (adding it at the end if missing); other keys and lines stay. */
/**
 * Refuses a value that would add lines (or terminal control) to the file: a line break in a
 * region or a secret would write a key of its own, such as an `mfa_process` that rolectl or the
 * AWS CLI then runs. The value itself is not shown: it may be a secret.
 */
export function checkIniValues(change: Pick<SectionChange, "section" | "values">, path: string): void {
  for (const [key, value] of Object.entries(change.values)) {
    // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused
    if (/[\u0000-\u001f\u007f]/.test(value) || value !== value.trim())
      throw usageError(
        "invalid_value",
        `Refusing to write ${key} to [${change.section}] in ${path}: the value holds a line break, a control character or surrounding spaces, which the file cannot keep as one value.`,
        { hint: "Check the value you passed (a pasted value often carries a newline)." },
      );
  }
}

export function upsertSection(text: string, path: string, change: SectionChange): UpsertResult {
  checkIniValues(change, path);
  const file = parseIni(text, path);
  const eol = file.eol;
  // Each line with its own ending, so a mixed-ending file keeps its endings line by line.
  const lines = file.lines.map((t, i) => ({ t, e: file.eols[i] ?? "" }));
  const joined = (ls: { t: string; e: string }[]) =>
    (file.hadBom ? "\uFEFF" : "") + ls.map((l) => l.t + l.e).join("");
  const section = file.sections.findLast(
    (s) =>
      s.name === change.section ||
      (change.profile !== undefined && configSectionProfile(s.name) === change.profile),
  );

  if (!section) {
    const body = [`[${change.section}]`, ...Object.entries(change.values).map(([k, v]) => `${k} = ${v}`)];
    // After the last line (which gets an ending if it had none), one blank line, then the section.
    const last = lines[lines.length - 1];
    if (last && last.t === "" && last.e === "") lines.pop();
    const tail = lines[lines.length - 1];
    if (tail && tail.e === "") tail.e = eol;
    const blank = tail && tail.t.trim() !== "" ? [{ t: "", e: eol }] : [];
    return { text: joined([...lines, ...blank, ...body.map((t) => ({ t, e: eol }))]), changed: true };
  }

  const previous: Record<string, string> = {};
  for (const [k, e] of section.entries) if (!e.sub) previous[k] = e.value;
  // A key's lines: its own and the deeper-indented ones under it (continuation or nested).
  const linesOf = (entry: { line: number; indent: number }) => {
    const own = [entry.line];
    for (let l = entry.line + 1; l <= section.lastLine; l++) {
      const raw = (lines[l] as { t: string }).t;
      const trimmed = raw.trim();
      if (trimmed === "" || trimmed.startsWith("#") || trimmed.startsWith(";")) continue;
      if (raw.length - raw.trimStart().length <= entry.indent) break;
      own.push(l);
    }
    return own;
  };
  // New keys line up with the section's first key (botocore reads a deeper one as a continuation).
  const first = [...section.entries.values()].sort((a, b) => a.line - b.line)[0];
  const keyIndent = first ? (lines[first.line] as { t: string }).t.slice(0, first.indent) : "";
  let changed = false;
  const gone = new Set<number>();
  const additions: { t: string; e: string }[] = [];
  for (const [key, value] of Object.entries(change.values)) {
    const entry = section.entries.get(key);
    if (!entry) {
      additions.push({ t: `${keyIndent}${key} = ${value}`, e: eol });
      changed = true;
    } else if (entry.value !== value || (entry.sub && Object.keys(entry.sub).length)) {
      const was = lines[entry.line] as { t: string; e: string };
      // Same indentation as before: a key at another depth would read as a continuation.
      lines[entry.line] = { t: `${was.t.slice(0, entry.indent)}${key} = ${value}`, e: was.e || eol };
      // The old value's continuation lines would continue the new one: they go too.
      for (const l of linesOf(entry).slice(1)) gone.add(l);
      changed = true;
    }
  }
  for (const key of change.remove ?? []) {
    const entry = section.entries.get(key);
    if (!entry || key in change.values) continue;
    for (const l of linesOf(entry)) gone.add(l);
    changed = true;
  }
  const lastLine = lines[section.lastLine];
  if (additions.length && lastLine && lastLine.e === "") lastLine.e = eol;
  // Removals only touch lines up to lastLine, so the additions' index stays right.
  lines.splice(section.lastLine + 1, 0, ...additions);
  const kept = lines.filter((_, i) => !gone.has(i) || i > section.lastLine);
  return { text: joined(kept), changed, previous };
}

/**
 * Many config-file profiles in one edit (`sso populate`): profiles removed whole, existing ones
 * updated in place, new ones appended together. One parse for the removals and the appends, so
 * a thousand new profiles cost one pass, not a thousand.
 */
export function editProfiles(
  text: string,
  path: string,
  o: { upsert: (SectionChange & { profile: string })[]; removeProfiles: string[] },
): { text: string; changed: boolean } {
  for (const change of o.upsert) checkIniValues(change, path);
  let changed = false;
  if (o.removeProfiles.length) {
    const file = parseIni(text, path);
    const doomed = new Set(o.removeProfiles);
    const gone = new Set<number>();
    const sections = file.sections;
    for (const [i, section] of sections.entries()) {
      const name = configSectionProfile(section.name);
      if (name === undefined || !doomed.has(name)) continue;
      // The header, its keys (comments among them), and the blank lines after: a comment
      // just before the next header belongs to that section.
      const next = sections[i + 1]?.headerLine ?? file.lines.length;
      let end = section.lastLine;
      while (end + 1 < next && (file.lines[end + 1] ?? "").trim() === "") end++;
      for (let l = section.headerLine; l <= end; l++) gone.add(l);
    }
    if (gone.size) {
      text =
        (file.hadBom ? "\uFEFF" : "") +
        file.lines.map((t, i) => (gone.has(i) ? "" : t + (file.eols[i] ?? ""))).join("");
      changed = true;
    }
  }
  const existing = new Set(
    parseIni(text, path)
      .sections.map((s) => configSectionProfile(s.name))
      .filter((n): n is string => n !== undefined),
  );
  const fresh: SectionChange[] = [];
  for (const change of o.upsert) {
    if (!existing.has(change.profile)) {
      fresh.push(change);
      continue;
    }
    const result = upsertSection(text, path, change);
    if (result.changed) {
      text = result.text;
      changed = true;
    }
  }
  if (fresh.length) {
    const eol = parseIni(text, path).eol;
    const body = fresh
      .map((c) => [`[${c.section}]`, ...Object.entries(c.values).map(([k, v]) => `${k} = ${v}`)].join(eol))
      .join(eol + eol);
    const trimmed = text.replace(/(\r?\n)*$/, "");
    text = `${trimmed}${trimmed ? eol + eol : ""}${body}${eol}`;
    changed = true;
  }
  return { text, changed };
}

export interface WriteOptions {
  /** File mode for a new file, and enforced on every write when `enforceMode`. */
  mode: number;
  enforceMode?: boolean;
}

/**
 * Read-modify-write of a config file under a lock. `mutate` gets the current text ("" when the
 * file does not exist) and returns the new text, or undefined to leave the file alone.
 */
export async function editConfigFile(
  given: string,
  mutate: (text: string) => string | undefined,
  options: WriteOptions,
): Promise<{ written: boolean; backup?: string }> {
  // A symlinked ~/.aws/config (dotfiles repos) is written through, as the AWS CLI does: the
  // link stays a link, the file it points at gets the change.
  const path = await realpath(given).catch(() => given);
  try {
    await makeDirs(dirname(path), 0o700);
  } catch (err) {
    throw configError(
      "config_unwritable",
      `Cannot create ${dirname(path)}: ${(err as NodeJS.ErrnoException).code ?? err}.`,
    );
  }
  let lock: Awaited<ReturnType<typeof acquireLock>>;
  try {
    lock = await acquireLock(`${path}.lock`, { timeoutMs: 30_000, maxAgeMs: 60_000 });
  } catch (err) {
    throw configError(
      "config_unwritable",
      `Cannot lock ${path} for writing: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}.`,
      {
        hint: "Check that the directory is writable.",
      },
    );
  }
  try {
    await sweepStaleTempFiles(dirname(path), basename(path));
    let text = "";
    let mode = options.mode;
    let existed = false;
    const current = readConfigText(path);
    if (current !== undefined) {
      text = current;
      existed = true;
      if (!options.enforceMode) mode = (await stat(path)).mode & 0o777;
    }
    const next = mutate(text);
    if (next === undefined || (existed && next === text)) return { written: false };
    try {
      let backup: string | undefined;
      if (existed) {
        backup = `${path}.bak`;
        await writeFileAtomic(backup, text, mode);
      }
      await writeFileAtomic(path, next, mode);
      return { written: true, ...(backup ? { backup } : {}) };
    } catch (err) {
      throw configError(
        "config_unwritable",
        `Cannot write ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}.`,
        {
          hint: "Check the permissions of the file and its directory; nothing was changed.",
        },
      );
    }
  } finally {
    await lock.release();
  }
}
