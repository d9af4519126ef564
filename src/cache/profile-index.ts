import { mkdirSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { sweepStaleTempFiles, writeFileAtomic } from "../fs/atomic.js";
import { readPrivateFile, removeQuietly } from "../fs/private-file.js";
import { type CacheKey, cacheKey } from "./store.js";

// The warm path's shortcut past the config files. A config with 50,000 profiles takes longer to
// parse than the whole rest of a cache hit; but when neither file changed since a profile was
// last planned, the plan is the same, and so is the cache entry that answers it. One small
// file per profile records which entry that was, with a fingerprint of what the plan was made
// from. Any difference in the fingerprint, and the full plan is made again.
//
// Safety: a file's fingerprint is its inode, size, and modification and change times in
// nanoseconds. An edit after the index entry was written changes at least one of them — unless
// it lands within the file system's clock tick of the recorded times, which is why an entry is
// not written for a file changed in the last RACY_MS (git's "racily clean" rule). Renames (the
// AWS CLI's and rolectl's own atomic edits) change the inode. Writers are atomic renames, so a
// reader sees a whole entry, and concurrent writers write the same thing.

const RACY_MS = 1000;
const MAX_ENTRY_BYTES = 8 * 1024;

export interface IndexInputs {
  configPath: string;
  credentialsPath: string;
  /** Environment values planning reads for a profile (a credential_source = Environment key id). */
  env: string[];
}

export interface IndexedPlan {
  /** The cache entry the plan's last role lands in. */
  cacheKey: CacheKey;
  /** The profile's region (what `assume` exports when the environment names none). */
  region: string | null;
}

interface IndexEntry extends IndexedPlan {
  version: 1;
  profile: string;
  fingerprint: string;
}

type FileStamp = { stamp: string; changedAt: number };

function stampOf(path: string): FileStamp {
  try {
    const st = statSync(path, { bigint: true });
    return {
      stamp: [st.dev, st.ino, st.size, st.mtimeNs, st.ctimeNs].join(":"),
      changedAt: Number((st.mtimeNs > st.ctimeNs ? st.mtimeNs : st.ctimeNs) / 1_000_000n),
    };
  } catch (err) {
    return { stamp: `absent:${(err as NodeJS.ErrnoException).code ?? "?"}`, changedAt: 0 };
  }
}

export interface Fingerprint {
  fingerprint: string;
  /** When either file last changed (ms). */
  changedAt: number;
  /** When the fingerprint was taken (ms): a change within RACY_MS before it is too close to tell. */
  takenAt: number;
}

/**
 * The files' and environment's fingerprint. Taken before the files are read for planning, so
 * that a change between the stat and the read leaves an index entry that no longer matches.
 */
export function takeFingerprint(i: IndexInputs): Fingerprint {
  const takenAt = Date.now();
  const configPath = resolve(i.configPath);
  const credentialsPath = resolve(i.credentialsPath);
  const config = stampOf(configPath);
  const credentials = stampOf(credentialsPath);
  return {
    fingerprint: JSON.stringify([configPath, config.stamp, credentialsPath, credentials.stamp, ...i.env]),
    changedAt: Math.max(config.changedAt, credentials.changedAt),
    takenAt,
  };
}

/** The index file of a profile: its name is the profile's hash (any name is safe on disk). */
const entryPath = (cacheDir: string, profile: string) =>
  join(
    cacheDir,
    "profiles",
    `${cacheKey({ roleArn: profile, sessionName: "", externalId: "", mfaSerial: "", durationSeconds: 0, sourceIdentity: "profile-index" }).id}.json`,
  );

/** The plan recorded for this profile, if the files it was made from are unchanged. */
export function lookupIndexedPlan(
  cacheDir: string,
  profile: string,
  now: Fingerprint,
): IndexedPlan | undefined {
  const path = entryPath(cacheDir, profile);
  const text = readPrivateFile(path, MAX_ENTRY_BYTES);
  if (text === undefined) return undefined;
  if (text === "untrusted") {
    removeQuietly(path);
    return undefined;
  }
  let entry: IndexEntry;
  try {
    entry = JSON.parse(text) as IndexEntry;
  } catch {
    return undefined;
  }
  if (
    entry?.version !== 1 ||
    entry.profile !== profile ||
    typeof entry.cacheKey?.id !== "string" ||
    // It becomes a file name: only what cacheKey() makes.
    !/^[0-9a-f]{40}$/.test(entry.cacheKey.id) ||
    typeof entry.cacheKey.material !== "string" ||
    entry.fingerprint !== now.fingerprint
  )
    return undefined;
  return { cacheKey: entry.cacheKey, region: typeof entry.region === "string" ? entry.region : null };
}

/**
 * Records the plan just made for a profile, from files fingerprinted before they were read
 * (`planned`) and again after (`after`). Skipped when they differ (a file changed, or a symlink
 * was repointed, while it was being read), or when a file changed too recently before the first
 * fingerprint to be told apart from a change still to come (see RACY_MS). Failures are ignored:
 * the index is an optimisation.
 */
export async function recordIndexedPlan(
  cacheDir: string,
  profile: string,
  planned: Fingerprint,
  after: Fingerprint,
  plan: IndexedPlan,
): Promise<void> {
  if (after.fingerprint !== planned.fingerprint || planned.takenAt - planned.changedAt < RACY_MS) return;
  const entry: IndexEntry = { version: 1, profile, fingerprint: planned.fingerprint, ...plan };
  try {
    const dir = join(cacheDir, "profiles");
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    await writeFileAtomic(entryPath(cacheDir, profile), `${JSON.stringify(entry)}\n`, 0o600);
    // What a writer killed mid-write left (only when an entry is recorded, never on a hit).
    await sweepStaleTempFiles(dir);
  } catch {
    // The index only saves a parse; the next hit will try again.
  }
}
