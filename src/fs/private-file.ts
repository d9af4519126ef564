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
    // O_NONBLOCK: opening a FIFO planted here must not wait for a writer.
    fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (err) {
    // ELOOP: a planted symlink.
    return (err as NodeJS.ErrnoException).code === "ELOOP" ? "untrusted" : undefined;
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile() || (UID >= 0 && st.uid !== UID) || st.size > maxBytes) return "untrusted";
    return readSized(fd, st.size);
  } finally {
    closeSync(fd);
  }
}

/** Reads by the size fstat gave (readFileSync would stat the file again). */
function readSized(fd: number, size: number): string {
  const buf = Buffer.allocUnsafe(size);
  let got = 0;
  while (got < size) {
    const n = readSync(fd, buf, got, size - got, got);
    if (n === 0) break;
    got += n;
  }
  return buf.toString("utf8", 0, got);
}

/**
 * A file the user points rolectl at (the AWS config and credentials files): undefined when
 * absent. A FIFO, a device (/dev/zero) or a directory would hang or never end, so anything but
 * a regular file is an error (code ENOTREG), as is one over `maxBytes` (EFBIG).
 */
export function readRegularFile(path: string, maxBytes: number): string | undefined {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw err;
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw Object.assign(new Error("not a regular file"), { code: "ENOTREG" });
    if (st.size > maxBytes) throw Object.assign(new Error("too large"), { code: "EFBIG" });
    return readSized(fd, st.size);
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
