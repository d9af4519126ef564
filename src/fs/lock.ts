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

async function tryCreate(path: string): Promise<boolean> {
  try {
    const h = await fsp.open(
      path,
      constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW,
      0o600,
    );
    await h.writeFile(`${process.pid} ${host()} ${Date.now()}\n`);
    await h.close();
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw err;
  }
}

async function isStale(path: string, maxAgeMs: number): Promise<string | undefined> {
  let content: string;
  let mtime: number;
  try {
    content = await fsp.readFile(path, "utf8");
    mtime = (await fsp.stat(path)).mtimeMs;
  } catch {
    return undefined; // gone already
  }
  const [pidText, lockHost] = content.trim().split(" ");
  const pid = Number(pidText);
  const dead = lockHost === host() && Number.isInteger(pid) && pid > 0 && !processAlive(pid);
  const unreadable = !Number.isInteger(pid) || pid <= 0;
  // A lock file still empty may be mid-write by its creator: only old ones count.
  if (dead || (unreadable && Date.now() - mtime > 2000) || Date.now() - mtime > maxAgeMs) return content;
  return undefined;
}

async function breakIfStale(path: string, maxAgeMs: number): Promise<void> {
  const stale = await isStale(path, maxAgeMs);
  if (stale === undefined) return;
  const guard = `${path}.break`;
  if (!(await tryCreate(guard))) {
    // Someone else is breaking it; a guard left by a killed breaker expires quickly.
    const st = await fsp.stat(guard).catch(() => undefined);
    if (st && Date.now() - st.mtimeMs > 5000) await fsp.unlink(guard).catch(() => {});
    return;
  }
  try {
    const now = await fsp.readFile(path, "utf8").catch(() => undefined);
    if (now === stale) await fsp.unlink(path).catch(() => {});
  } finally {
    await fsp.unlink(guard).catch(() => {});
  }
}

/** Waits for and takes the lock. `onWait` is called once if another process holds it. */
export async function acquireLock(
  path: string,
  options: LockOptions = {},
  onWait?: () => void,
): Promise<Lock> {
  const deadline = Date.now() + (options.timeoutMs ?? 180_000);
  const maxAgeMs = options.maxAgeMs ?? 300_000;
  let waited = false;
  for (;;) {
    if (await tryCreate(path)) {
      return { release: () => fsp.unlink(path).catch(() => {}) };
    }
    if (!waited) {
      waited = true;
      onWait?.();
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
