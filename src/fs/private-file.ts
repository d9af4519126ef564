import { closeSync, constants, fstatSync, openSync, readFileSync, unlinkSync } from "node:fs";

// Reading a file only this user should have written (a cache entry, an index entry): never
// through a symlink, never one owned by someone else, never an outsized one. Synchronous: these
// are the cache-hit path's reads.

const getuid = () => (typeof process.getuid === "function" ? process.getuid() : -1);

/**
 * The file's text; undefined when it is absent, and "untrusted" when it is a symlink, not a
 * regular file, someone else's or larger than `maxBytes` (the caller then discards it).
 */
export function readPrivateFile(path: string, maxBytes: number): string | undefined | "untrusted" {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch (err) {
    // ELOOP: a planted symlink.
    return (err as NodeJS.ErrnoException).code === "ELOOP" ? "untrusted" : undefined;
  }
  try {
    const st = fstatSync(fd);
    const uid = getuid();
    if (!st.isFile() || (uid >= 0 && st.uid !== uid) || st.size > maxBytes) return "untrusted";
    return readFileSync(fd, "utf8");
  } finally {
    closeSync(fd);
  }
}

/** Removes a file, if it is there. */
export function removeQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // already gone
  }
}
