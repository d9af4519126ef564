import type { ListedEntry } from "../cache/store.js";
import { secondsLeft } from "../cache/store.js";
import { formatTable } from "../shared/table.js";

// What `cache list` shows: used by the full CLI and by the fast path (no commander, no SDK),
// so that both print the same bytes.

export interface CacheRow {
  key: string;
  profile: string;
  roleArn: string;
  sessionName: string;
  assumedRoleArn: string | null;
  expiration: string;
  secondsLeft: number;
}

export function cacheRows(entries: ListedEntry[], now: number): CacheRow[] {
  return entries.map(({ key, entry }) => ({
    key,
    profile: entry.profile ?? "",
    roleArn: entry.roleArn,
    sessionName: entry.sessionName,
    assumedRoleArn: entry.assumedRoleArn ?? null,
    expiration: entry.credentials.Expiration,
    secondsLeft: Math.max(0, secondsLeft(entry, now)),
  }));
}

const humanLeft = (s: number) =>
  s <= 0
    ? "expired"
    : s >= 3600
      ? `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}m`
      : `${Math.floor(s / 60)}m`;

export function cacheTable(rows: CacheRow[], dir: string): string {
  return rows.length === 0
    ? `The cache (${dir}) is empty.`
    : formatTable(
        ["PROFILE", "ROLE", "EXPIRES", "LEFT"],
        rows.map((r) => [
          r.profile || "-",
          r.roleArn,
          r.expiration.replace(/\.\d+Z$/, "Z"),
          humanLeft(r.secondsLeft),
        ]),
      );
}
