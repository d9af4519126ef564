import { constants } from "node:fs";
import { lstat, open, readdir, readFile, rename, unlink } from "node:fs/promises";
import { join } from "node:path";

// Writing files so that a reader sees the old or the new content, never half of one, and
// cleaning up after a writer that was killed between the two. Used by the credential cache
// and the config-file editor alike.

/** Writes atomically: temp file (exact mode, exclusive, no symlink) in the same directory, fsync, rename. */
export async function writeFileAtomic(path: string, data: string, mode: number): Promise<void> {
  // O_EXCL makes the name safe even if two writers picked the same one (they would not).
  const tmp = `${path}.${process.pid}.${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}.tmp`;
  const handle = await open(
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
    await unlink(tmp).catch(() => {});
    throw err;
  }
  await handle.close();
  try {
    await rename(tmp, path);
  } catch (err) {
    await unlink(tmp).catch(() => {});
    throw err;
  }
}

/**
 * Removes temp files that a killed writer left behind (older than a minute, so never one being
 * written now). Only names of the form writeFileAtomic makes, optionally for one target file.
 */
export async function sweepStaleTempFiles(dir: string, target = ""): Promise<void> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return;
  }
  const pattern = new RegExp(`^${target.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}.*\\.\\d+\\.[0-9a-z]+\\.tmp$`);
  for (const name of names.filter((n) => pattern.test(n))) {
    const path = join(dir, name);
    const st = await lstat(path).catch(() => undefined);
    if (st?.isFile() && Date.now() - st.mtimeMs > 60_000) await unlink(path).catch(() => {});
  }
}

/** Parsed JSON of a file; undefined when absent or not JSON. */
export async function readJsonFile<T>(path: string): Promise<T | undefined> {
  try {
    return JSON.parse(await readFile(path, "utf8")) as T;
  } catch {
    return undefined;
  }
}
