import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { writeFileAtomic } from "../fs/atomic.js";
import { acquireLock } from "../fs/lock.js";
import { configError } from "../shared/errors.js";
import { ensureCacheDir } from "./store.js";

// What rolectl minted for one IAM user, kept beside the credential cache (0700 directory, 0600
// file, atomic writes): the access keys and MFA devices it created, each secret held here from
// the moment AWS returned it until it reached the place the user gets it from, and a create
// that was sent but whose answer was never recorded. A re-run reads it to reuse what it holds,
// delete what it made but lost, and never touch what it did not make.

export interface LedgerKey {
  id: string;
  /** Held until the key is stored where the user reads it (then `storedIn` names that place). */
  secret?: string;
  storedIn?: string;
}

export interface LedgerDevice {
  serial: string;
  /** Held while no other place has the seed (no --mfa-seed-out, nobody scanned it). */
  seed?: string;
  storedIn?: string;
  enabled?: boolean;
}

export interface LedgerRecord {
  version: 1;
  account: string;
  user: string;
  keys: LedgerKey[];
  devices: LedgerDevice[];
  /** A create in flight: what existed before it, so whatever appears after it is ours. */
  pending?: { op: "CreateAccessKey" | "CreateVirtualMFADevice"; before: string[]; sentAt?: string };
  /** --rotate-access-key under way: the new key is made, the old one not yet deleted. */
  rotation?: { old: string; new: string };
}

export interface Ledger {
  /** The file, named in results and failure messages as where a secret is kept. */
  readonly path: string;
  read(): Promise<LedgerRecord>;
  /** Applies a change and writes the whole record atomically before returning. */
  update(change: (record: LedgerRecord) => void): Promise<LedgerRecord>;
}

/** A ledger with nothing in it yet. */
export const emptyLedgerRecord = (account: string, user: string): LedgerRecord => ({
  version: 1,
  account,
  user,
  keys: [],
  devices: [],
});

function isRecord(v: unknown): v is LedgerRecord {
  const r = v as LedgerRecord;
  return (
    typeof r === "object" &&
    r !== null &&
    r.version === 1 &&
    Array.isArray(r.keys) &&
    Array.isArray(r.devices)
  );
}

export const ledgerDirFor = (cacheDir: string): string => join(cacheDir, "ledger");

/** The ledger of `user` in `account`, in `<cache dir>/ledger/<account>-<user>.json`. */
export function fileLedger(cacheDir: string, account: string, user: string): Ledger {
  const dir = ledgerDirFor(cacheDir);
  const path = join(dir, `${account}-${user}.json`);
  const read = async (): Promise<LedgerRecord> => {
    let text: string;
    try {
      text = await readFile(path, "utf8");
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return emptyLedgerRecord(account, user);
      throw err;
    }
    let found: unknown;
    try {
      found = JSON.parse(text);
    } catch {
      found = undefined;
    }
    // It may hold the only copy of a secret: never read past it, never write over it.
    if (!isRecord(found))
      throw configError("config_invalid", `rolectl's ledger ${path} is not one rolectl can read.`, {
        hint: "It may hold an access key secret or MFA seed: keep it, move it aside, and run again.",
      });
    return found;
  };
  return {
    path,
    read,
    async update(change) {
      await ensureCacheDir(cacheDir);
      await ensureCacheDir(dir);
      // One writer at a time: two runs for the same user must not lose each other's records.
      const lock = await acquireLock(`${path}.lock`, { timeoutMs: 60_000 });
      try {
        const record = await read();
        change(record);
        await writeFileAtomic(path, `${JSON.stringify(record, null, 2)}\n`, 0o600);
        return record;
      } finally {
        await lock.release();
      }
    },
  };
}
