import { mkdir, readFile, stat } from "node:fs/promises";
import { basename, dirname } from "node:path";
import { sweepStaleTempFiles, writeFileAtomic } from "../fs/atomic.js";
import { acquireLock } from "../fs/lock.js";
import { configError } from "../shared/errors.js";
import { configSectionProfile } from "./files.js";
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
export function upsertSection(text: string, path: string, change: SectionChange): UpsertResult {
  const file = parseIni(text, path);
  const eol = file.eol;
  const lines = [...file.lines];
  const section = file.sections.findLast(
    (s) =>
      s.name === change.section ||
      (change.profile !== undefined && configSectionProfile(s.name) === change.profile),
  );
  const render = (k: string, v: string) => `${k} = ${v}`;

  if (!section) {
    const body = [`[${change.section}]`, ...Object.entries(change.values).map(([k, v]) => render(k, v))];
    // Drop the trailing empty "line" that a final newline leaves, then append after one blank line.
    while (lines.length > 0 && lines[lines.length - 1] === "") lines.pop();
    const out = [...lines, ...(lines.length ? [""] : []), ...body, ""];
    return { text: (file.hadBom ? "\uFEFF" : "") + out.join(eol), changed: true };
  }

  const previous: Record<string, string> = {};
  for (const [k, e] of section.entries) if (!e.sub) previous[k] = e.value;
  let changed = false;
  const additions: string[] = [];
  for (const [key, value] of Object.entries(change.values)) {
    const entry = section.entries.get(key);
    if (!entry) {
      additions.push(render(key, value));
      changed = true;
    } else if (entry.value !== value || entry.sub) {
      lines[entry.line] = render(key, value);
      changed = true;
    }
  }
  // Removals only touch lines up to lastLine, so the additions' index below stays right.
  const gone = new Set<number>();
  const starts = [...section.entries.values()].map((e) => e.line).sort((a, b) => a - b);
  for (const key of change.remove ?? []) {
    const entry = section.entries.get(key);
    if (!entry || key in change.values) continue;
    const end = starts.find((l) => l > entry.line) ?? section.lastLine + 1;
    for (let l = entry.line; l < end; l++) gone.add(l);
    changed = true;
  }
  if (additions.length) lines.splice(section.lastLine + 1, 0, ...additions);
  const kept = lines.filter((_, i) => !gone.has(i) || i > section.lastLine);
  return { text: (file.hadBom ? "\uFEFF" : "") + kept.join(eol), changed, previous };
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
  path: string,
  mutate: (text: string) => string | undefined,
  options: WriteOptions,
): Promise<{ written: boolean; backup?: string }> {
  try {
    await mkdir(dirname(path), { recursive: true, mode: 0o700 });
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
    try {
      text = await readFile(path, "utf8");
      existed = true;
      if (!options.enforceMode) mode = (await stat(path)).mode & 0o777;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "ENOENT") {
        throw configError(
          "config_unreadable",
          `Cannot read ${path}: ${(err as NodeJS.ErrnoException).code}.`,
        );
      }
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
