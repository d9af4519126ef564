import { promises as fsp } from "node:fs";
// fs.promises (a getter), not node:fs/promises: loading it costs the cache-hit path ~2 ms.
import { join } from "node:path";
import { sweepStaleTempFiles, writeFileAtomic } from "../fs/atomic.js";
import { makeDirs } from "../fs/dirs.js";
import { readPrivateFile, removeQuietly } from "../fs/private-file.js";
import { malformedField, type SessionCredentials } from "../shared/credentials.js";
import { configError } from "../shared/errors.js";

// The credential cache: one JSON file per key, 0600, in a 0700 directory owned by the user.
// Files are written to a temp file and renamed, so a reader sees the old or the new entry,
// never half of one. Symlinks are never followed; corrupt or foreign files are ignored.

export interface CacheEntry {
  version: 1;
  /** The key material this entry was made for (see cacheKey). */
  key?: string;
  /** The profile it was made for, when one was used (shown by `cache list`). */
  profile?: string;
  roleArn: string;
  sessionName: string;
  assumedRoleArn?: string;
  createdAt: string;
  credentials: SessionCredentials;
}

export interface CacheKeyParts {
  roleArn: string;
  sessionName: string;
  externalId: string;
  mfaSerial: string;
  durationSeconds: number;
  /** Who the source credentials are: an access key id, a command, or the parent entry's key. */
  sourceIdentity: string;
}

export interface CacheKey {
  /** File name stem: 40 hex digits. */
  id: string;
  /** What the key stands for; stored in the entry and compared on read. */
  material: string;
}

/**
 * The file name is a 160-bit FNV-1a-style hash of the key material. Not cryptographic (that
 * would load node:crypto, a measurable part of the cache-hit path's start-up), and it need not
 * be: the entry stores its key material and a read checks it, so a collision is only a miss.
 */
export function cacheKey(parts: CacheKeyParts): CacheKey {
  const material = JSON.stringify([
    parts.roleArn,
    parts.sessionName,
    parts.externalId,
    parts.mfaSerial,
    parts.durationSeconds,
    parts.sourceIdentity,
  ]);
  let id = "";
  for (const seed of [0x811c9dc5, 0x01000193, 0x9e3779b9, 0x85ebca6b, 0xc2b2ae35]) {
    let h = seed >>> 0;
    for (let i = 0; i < material.length; i++) {
      h ^= material.charCodeAt(i);
      h = Math.imul(h, 0x01000193) >>> 0;
    }
    id += h.toString(16).padStart(8, "0");
  }
  return { id, material };
}

const getuid = () => (typeof process.getuid === "function" ? process.getuid() : -1);

/**
 * Creates the directory 0700, or checks that an existing one is ours and private. An existing
 * directory is never chmod'ed: it may be $HOME or /tmp, which is not rolectl's to change.
 */
export async function ensureCacheDir(dir: string): Promise<void> {
  const created = await makeDirs(dir, 0o700);
  const st = await fsp.lstat(dir);
  if (st.isSymbolicLink() || !st.isDirectory()) {
    throw configError(
      "cache_unsafe",
      `Cache directory ${dir} is not a directory (or is a symlink); refusing to use it.`,
      {
        hint: "Remove it or set ROLECTL_CACHE_DIR to another directory.",
      },
    );
  }
  const uid = getuid();
  if (uid >= 0 && st.uid !== uid) {
    throw configError(
      "cache_unsafe",
      `Cache directory ${dir} belongs to another user (uid ${st.uid}); refusing to use it.`,
      {
        hint: "Set ROLECTL_CACHE_DIR to a directory you own.",
      },
    );
  }
  if (created)
    await fsp.chmod(dir, 0o700); // exact, whatever the umask
  else if ((st.mode & 0o1022) !== 0) {
    // Others may write (or, sticky like /tmp, share) it: they could swap entries or locks. A
    // directory others can only read is left alone: the files in it are 0600.
    throw configError(
      "cache_unsafe",
      `Cache directory ${dir} is writable by other users (mode ${(st.mode & 0o7777).toString(8).padStart(4, "0")}); refusing to keep credentials in it.`,
      {
        hint: "Point ROLECTL_CACHE_DIR at a new directory (rolectl creates it 0700), or chmod go-w this one if it is yours alone.",
      },
    );
  }
  await sweepStaleTempFiles(dir);
}

function isEntry(v: unknown): v is CacheEntry {
  const e = v as CacheEntry;
  return (
    typeof e === "object" &&
    e !== null &&
    e.version === 1 &&
    typeof e.roleArn === "string" &&
    typeof e.credentials?.AccessKeyId === "string" &&
    typeof e.credentials.SecretAccessKey === "string" &&
    typeof e.credentials.SessionToken === "string" &&
    typeof e.credentials.Expiration === "string" &&
    // An entry that could not be handed out is no entry: it is replaced, never fatal.
    malformedField(e.credentials) === undefined
  );
}

/**
 * Reads an entry; undefined when absent, corrupt, a symlink, or not ours (and such a file is
 * removed so that the next write replaces it). Synchronous: it is the cache-hit path's one read.
 */
export function readCacheEntry(dir: string, key: string, material?: string): CacheEntry | undefined {
  const path = join(dir, `${key}.json`);
  const text = readPrivateFile(path, 64 * 1024);
  if (text === undefined) return undefined;
  if (text !== "untrusted") {
    try {
      const parsed = JSON.parse(text) as unknown;
      if (isEntry(parsed)) return material === undefined || parsed.key === material ? parsed : undefined;
    } catch {
      // corrupt or truncated: fall through
    }
  }
  removeQuietly(path);
  return undefined;
}

/** Writes an entry atomically: temp file (0600, exclusive) in the same directory, fsync, rename. */
export async function writeCacheEntry(dir: string, key: string, entry: CacheEntry): Promise<void> {
  await writeFileAtomic(join(dir, `${key}.json`), `${JSON.stringify(entry)}\n`, 0o600);
}

export async function deleteCacheEntry(dir: string, key: string): Promise<void> {
  await fsp.rm(join(dir, `${key}.json`), { force: true });
}

export interface ListedEntry {
  key: string;
  entry: CacheEntry;
}

export async function listCacheEntries(dir: string): Promise<ListedEntry[]> {
  let names: string[];
  try {
    names = await fsp.readdir(dir);
  } catch {
    return [];
  }
  const out: ListedEntry[] = [];
  for (const name of names.sort()) {
    const m = /^([0-9a-f]{40})\.json$/.exec(name);
    if (!m?.[1]) continue;
    const entry = readCacheEntry(dir, m[1]);
    if (entry) out.push({ key: m[1], entry });
  }
  return out;
}

/** An entry is used while more than the refresh window is left. */
// The longest session STS issues (12 h): an entry claiming more was not made by an honest STS.
const MAX_SESSION_MS = 43_200_000;

export const isFresh = (entry: CacheEntry | undefined, now: number, refreshWindowSeconds: number): boolean =>
  entry !== undefined &&
  secondsLeft(entry, now) > refreshWindowSeconds &&
  Date.parse(entry.credentials.Expiration) - Date.parse(entry.createdAt) <= MAX_SESSION_MS;

/** Seconds of validity left at `now`. */
export const secondsLeft = (entry: CacheEntry, now: number): number =>
  Math.floor((Date.parse(entry.credentials.Expiration) - now) / 1000);
