import { emptyLedgerRecord, type Ledger } from "../../src/cache/ledger.js";

/** A ledger in memory, for unit tests of core (nothing is written). */
export function memoryLedger(account: string, user: string, path = "(memory)"): Ledger {
  let record = emptyLedgerRecord(account, user);
  return {
    path,
    read: async () => structuredClone(record),
    async update(change) {
      const next = structuredClone(record);
      change(next);
      record = next;
      return structuredClone(record);
    },
  };
}
