import { join } from "node:path";
import { acquireLock, type Lock, type LockHolder } from "../fs/lock.js";
import { type CacheEntry, type CacheKey, readCacheEntry, writeCacheEntry } from "./store.js";

/**
 * What the credential chain needs of a cache (aws-vault's CachedSessionProvider seam): look an
 * entry up, take the per-key lock that makes concurrent processes share one AssumeRole, store.
 * Freshness is the caller's decision, so a fake cache in a test behaves like the real one.
 */
export interface CredentialCache {
  lookup(key: CacheKey): CacheEntry | undefined;
  /** Waits for the key's lock; `onWait` is called once if another process holds it. */
  lock(key: CacheKey, onWait?: (holder: LockHolder | undefined) => void): Promise<Lock>;
  store(key: CacheKey, entry: CacheEntry): Promise<void>;
}

/** The cache directory: one 0600 JSON file and one lock file per key. */
export function fileCredentialCache(dir: string): CredentialCache {
  return {
    lookup: (key) => readCacheEntry(dir, key.id, key.material),
    // Its holder may be waiting for a person (an MFA code, an IAM Identity Center sign-in of up
    // to a device code's 10 minutes): waiters wait that long. A dead holder is found at once.
    lock: (key, onWait) =>
      acquireLock(join(dir, `${key.id}.lock`), { timeoutMs: 15 * 60_000, maxAgeMs: 15 * 60_000 }, onWait),
    store: (key, entry) => writeCacheEntry(dir, key.id, { ...entry, key: key.material }),
  };
}
