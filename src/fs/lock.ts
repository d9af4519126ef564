import { constants, promises as fsp } from "node:fs";
// fs.promises (a getter), not node:fs/promises: loading it costs the cache-hit path ~2 ms.
import { hostname } from "node:os";
import { join } from "node:path";
import { RolectlError } from "../shared/errors.js";

// A lock file per cache key so that concurrent processes asking for the same credentials make
// one AssumeRole (and one MFA prompt). The holder's pid is in the file: a waiter breaks the
// lock as soon as that process is gone (SIGKILL included), or when the lock is older than
// maxAgeMs. Breaking is itself guarded by a short-lived ".break" file so that two waiters
// cannot both break a lock and then remove each other's fresh one.

export interface LockOptions {
  /** Give up waiting after this long. */
  timeoutMs?: number;
  /** A lock older than this is stale whatever its pid says (a hung holder). */
  maxAgeMs?: number;
  pollMs?: number;
  /** How often the holder touches the lock (tests shorten it). */
  heartbeatMs?: number;
}

export interface Lock {
  release(): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
// Looked up when a lock is first taken, not at load: the cache-hit path imports this module.
let hostName: string | undefined;
function host(): string {
  hostName ??= hostname();
  return hostName;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Creates the lock file; its content (which names this holder), or undefined when it exists. */
async function tryCreate(path: string): Promise<string | undefined> {
  try {
    const h = await fsp.open(
      path,
      constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW,
      0o600,
    );
    const content = `${process.pid} ${host()} ${Date.now()}\n`;
    await h.writeFile(content);
    await h.close();
    return content;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "EEXIST") return undefined;
    throw err;
  }
}

/** Who holds a lock, from its file. */
export interface LockHolder {
  pid: number;
  host: string;
  /** Whether the holder runs on this host (its pid can be checked). */
  local: boolean;
}

/**
 * Reads a lock file without following links or blocking: a FIFO, a directory or a device in
 * its place would hang a plain read (or never go away), so it is an error to report at once.
 */
async function readLockFile(path: string): Promise<{ content: string; mtime: number } | undefined> {
  let handle: Awaited<ReturnType<typeof fsp.open>>;
  try {
    handle = await fsp.open(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return undefined; // gone already
    if (code === "ELOOP" || code === "EISDIR")
      throw notALockFile(path, code === "ELOOP" ? "a symlink" : "a directory");
    throw err;
  }
  try {
    const st = await handle.stat();
    if (!st.isFile())
      throw notALockFile(
        path,
        st.isFIFO() ? "a FIFO" : st.isDirectory() ? "a directory" : "not a regular file",
      );
    const buf = Buffer.alloc(256);
    const { bytesRead } = await handle.read(buf, 0, buf.length, 0);
    return { content: buf.subarray(0, bytesRead).toString("utf8"), mtime: st.mtimeMs };
  } finally {
    await handle.close();
  }
}

const notALockFile = (path: string, what: string) =>
  new RolectlError(
    "cache_unsafe",
    `Lock file ${path} is ${what}, not a lock rolectl made; refusing to wait on it.`,
    {
      hint: "Remove it; rolectl makes its locks as regular files.",
    },
  );

function holderOf(content: string): LockHolder | undefined {
  const [pidText, lockHost] = content.trim().split(" ");
  const pid = Number(pidText);
  if (!Number.isInteger(pid) || pid <= 0 || !lockHost) return undefined;
  return { pid, host: lockHost, local: lockHost === host() };
}

// A holder touches its lock every HEARTBEAT_MS. One on another host (a container sharing HOME)
// cannot be checked for life, so its lock is trusted while it is being touched: it is broken
// once untouched for three beats.
const HEARTBEAT_MS = 10_000;
export const FOREIGN_LOCK_MAX_AGE_MS = 3 * HEARTBEAT_MS;

async function isStale(path: string, maxAgeMs: number): Promise<string | undefined> {
  const file = await readLockFile(path);
  if (!file) return undefined;
  const { content, mtime } = file;
  const holder = holderOf(content);
  const untouched = Date.now() - mtime;
  // Its age from when it was taken (the heartbeat keeps the mtime fresh): a hung holder.
  const takenAt = Number(content.trim().split(" ")[2]);
  const age = Number.isFinite(takenAt) && takenAt > 0 ? Date.now() - takenAt : untouched;
  const dead = holder?.local === true && !processAlive(holder.pid);
  // A lock file still empty may be mid-write by its creator: only old ones count.
  const unreadable = !holder && untouched > 2000;
  const foreignSilent = holder !== undefined && !holder.local && untouched > FOREIGN_LOCK_MAX_AGE_MS;
  return dead || unreadable || foreignSilent || age > maxAgeMs ? content : undefined;
}

async function breakIfStale(path: string, maxAgeMs: number): Promise<void> {
  const stale = await isStale(path, maxAgeMs);
  if (stale === undefined) return;
  const guard = `${path}.break`;
  if ((await tryCreate(guard)) === undefined) {
    // Someone else is breaking it; a guard left by a killed breaker expires quickly.
    const st = await fsp.stat(guard).catch(() => undefined);
    if (st && Date.now() - st.mtimeMs > 5000) await fsp.unlink(guard).catch(() => {});
    return;
  }
  try {
    const now = (await readLockFile(path))?.content;
    if (now === stale) await fsp.unlink(path).catch(() => {});
  } finally {
    await fsp.unlink(guard).catch(() => {});
  }
}

/**
 * Waits for and takes the lock. `onWait` is called once if another process holds it, with the
 * holder when its file says who that is.
 */
export async function acquireLock(
  path: string,
  options: LockOptions = {},
  onWait?: (holder: LockHolder | undefined) => void,
): Promise<Lock> {
  const deadline = Date.now() + (options.timeoutMs ?? 180_000);
  const maxAgeMs = options.maxAgeMs ?? 300_000;
  let waited = false;
  for (;;) {
    const mine = await tryCreate(path);
    if (mine !== undefined) {
      const beat = setInterval(() => {
        const now = new Date();
        void fsp.utimes(path, now, now).catch(() => {});
      }, options.heartbeatMs ?? HEARTBEAT_MS);
      beat.unref();
      return {
        release: async () => {
          clearInterval(beat);
          // Only our own: if ours was broken as stale meanwhile, the file is someone else's.
          const now = await readLockFile(path).catch(() => undefined);
          if (now?.content === mine) await fsp.unlink(path).catch(() => {});
        },
      };
    }
    if (!waited) {
      waited = true;
      onWait?.(holderOf((await readLockFile(path))?.content ?? ""));
    }
    await breakIfStale(path, maxAgeMs);
    if (Date.now() > deadline) {
      throw new RolectlError("lock_timeout", `Timed out waiting for the credential cache lock ${path}.`, {
        hint: "Another rolectl is still getting these credentials (waiting for MFA?); try again, or remove the lock file.",
      });
    }
    await sleep(options.pollMs ?? 50);
  }
}

/** Removes the stale `*.lock` files in a directory (their holders died); returns how many. */
export async function sweepStaleLocks(dir: string, maxAgeMs = 300_000): Promise<number> {
  let names: string[];
  try {
    names = await fsp.readdir(dir);
  } catch {
    return 0;
  }
  let removed = 0;
  for (const name of names.filter((n) => n.endsWith(".lock"))) {
    const path = join(dir, name);
    const stale = await isStale(path, maxAgeMs);
    if (stale === undefined) continue;
    await breakIfStale(path, maxAgeMs);
    if (!(await fsp.stat(path).catch(() => undefined))) removed++;
  }
  return removed;
}
