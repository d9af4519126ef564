import { promises as fsp } from "node:fs";
// fs.promises (a getter), not node:fs/promises: loading it costs the cache-hit path ~2 ms.
import { dirname } from "node:path";

/**
 * mkdir -p, one level at a time. Node's recursive mkdir can spin forever on a path it can never
 * create (under /proc it keeps retrying EEXIST/ENOENT); this fails on the first level instead.
 * True when `path` itself was created by this call.
 */
export async function makeDirs(path: string, mode: number): Promise<boolean> {
  const missing: string[] = [];
  for (let p = path; ; p = dirname(p)) {
    const st = await fsp.stat(p).catch((err: NodeJS.ErrnoException) => {
      if (err.code === "ENOENT") return undefined;
      throw err;
    });
    if (st) {
      if (!st.isDirectory())
        throw Object.assign(new Error(`${p} is not a directory`), { code: "ENOTDIR", path: p });
      break;
    }
    missing.unshift(p);
    if (dirname(p) === p) break;
  }
  let created = false;
  for (const p of missing) {
    created = await fsp.mkdir(p, { mode }).then(
      () => true,
      (err: NodeJS.ErrnoException) => {
        if (err.code !== "EEXIST") throw err;
        return false;
      },
    );
  }
  return created;
}
