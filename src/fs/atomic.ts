import { constants, promises as fsp } from "node:fs";
// fs.promises (a getter), not node:fs/promises: loading it costs the cache-hit path ~2 ms.
import { basename, dirname, join } from "node:path";

// Our temp files carry our own prefix: a sweep must never take another program's.
const TEMP_PREFIX = ".rolectl-";

// Writing files so that a reader sees the old or the new content, never half of one, and
// cleaning up after a writer that was killed between the two. Used by the credential cache
// and the config-file editor alike.

/** Writes atomically: temp file (exact mode, exclusive, no symlink) in the same directory, fsync, rename. */
export async function writeFileAtomic(path: string, data: string, mode: number): Promise<void> {
  // O_EXCL makes the name safe even if two writers picked the same one (they would not).
  const tmp = join(
    dirname(path),
    `${TEMP_PREFIX}${basename(path)}.${process.pid}.${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}.tmp`,
  );
  const handle = await fsp.open(
    tmp,
    constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW,
    mode,
  );
  try {
    await handle.writeFile(data, "utf8");
    await handle.chmod(mode); // exact, whatever the umask
    await handle.sync();
  } catch (err) {
    await handle.close();
    await fsp.unlink(tmp).catch(() => {});
    throw err;
  }
  await handle.close();
  try {
    await fsp.rename(tmp, path);
  } catch (err) {
    await fsp.unlink(tmp).catch(() => {});
    throw err;
  }
}

/**
 * Removes temp files that a killed writer left behind (older than a minute, so never one being
 * written now). Only names writeFileAtomic makes (our prefix, our shape), owned by this user,
 * optionally for one target file.
 */
export async function sweepStaleTempFiles(dir: string, target = ""): Promise<void> {
  let names: string[];
  try {
    names = await fsp.readdir(dir);
  } catch {
    return;
  }
  const literal = (t: string) => t.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const pattern = new RegExp(`^${literal(TEMP_PREFIX + target)}.*\\.\\d+\\.[0-9a-z]+\\.tmp$`);
  const uid = typeof process.getuid === "function" ? process.getuid() : -1;
  for (const name of names.filter((n) => pattern.test(n))) {
    const path = join(dir, name);
    const st = await fsp.lstat(path).catch(() => undefined);
    if (st?.isFile() && (uid < 0 || st.uid === uid) && Date.now() - st.mtimeMs > 60_000)
      await fsp.unlink(path).catch(() => {});
  }
}

/** Parsed JSON of a file; undefined when absent or not JSON. */
export async function readJsonFile<T>(path: string): Promise<T | undefined> {
  try {
    return JSON.parse(await fsp.readFile(path, "utf8")) as T;
  } catch {
    return undefined;
  }
}
