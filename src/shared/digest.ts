import type * as NodeCrypto from "node:crypto";

// Loaded on first use (process.getBuiltinModule, Node >= 20.16): the indexed cache-hit path
// never digests anything, and loading node:crypto would add to its start-up.
let crypto: typeof NodeCrypto | undefined;

/** A SHA-256 of the parts, in hex: stands for secrets in cache keys without revealing them. */
export function secretDigest(...parts: string[]): string {
  crypto ??= process.getBuiltinModule("node:crypto");
  return crypto.createHash("sha256").update(JSON.stringify(parts)).digest("hex");
}
