import { closeSync, constants, fstatSync, openSync, readSync, unlinkSync } from "node:fs";

// Reading a file only this user should have written (a cache entry, an index entry): never
// through a symlink, never one owned by someone else, never an outsized one. Synchronous: these
// are the cache-hit path's reads.

// Asked once: `cache list` reads a thousand files, and each getuid() is a call into the OS.
const UID = typeof process.getuid === "function" ? process.getuid() : -1;

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
    if (!st.isFile() || (UID >= 0 && st.uid !== UID) || st.size > maxBytes) return "untrusted";
    // Read by the size fstat gave (readFileSync would stat the file again).
    const buf = Buffer.allocUnsafe(st.size);
    let got = 0;
    while (got < st.size) {
      const n = readSync(fd, buf, got, st.size - got, got);
      if (n === 0) break;
      got += n;
    }
    return buf.toString("utf8", 0, got);
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
