import { createHash } from "node:crypto";
import { join } from "node:path";
import { readJsonFile, writeFileAtomic } from "../fs/atomic.js";
import type { TotpState } from "../shared/credentials.js";

/** Remembers, per MFA serial, the last TOTP window used, so that a code is never sent twice. */
export function fileTotpState(dir: string): TotpState {
  const path = (serial: string) =>
    join(dir, `totp-${createHash("sha256").update(serial).digest("hex").slice(0, 24)}.json`);
  return {
    async lastCounter(serial) {
      const state = await readJsonFile<{ counter?: unknown }>(path(serial));
      const counter = state?.counter;
      return typeof counter === "number" && Number.isSafeInteger(counter) && counter >= 0
        ? counter
        : undefined;
    },
    async remember(serial, counter) {
      await writeFileAtomic(path(serial), `${JSON.stringify({ counter })}\n`, 0o600);
    },
  };
}
