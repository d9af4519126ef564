import type { ListedEntry } from "../../cache/store.js";
import type { SsoLogin } from "../../shared/credentials.js";
import { secretDigest } from "../../shared/digest.js";
import { sourceIdentity } from "../assume/plan.js";

/**
 * Cache entries made from the sign-in: the portal's role credentials, and every role chained
 * from them (a child's key holds a digest of its parent's).
 */
export function derivedCacheEntries(entries: ListedEntry[], login: SsoLogin): string[] {
  const origin = sourceIdentity({ kind: "sso", profile: "", login, accountId: "", roleName: "" }, {});
  const derived = new Set<string>();
  const parents = new Set<string>();
  for (let grew = true; grew; ) {
    grew = false;
    for (const { key, entry } of entries) {
      const material = entry.key ?? "";
      if (derived.has(key)) continue;
      const fromSso = material.includes(JSON.stringify(origin).slice(1, -1));
      const fromParent = [...parents].some((p) => material.includes(`role:${p}`));
      if (!fromSso && !fromParent) continue;
      derived.add(key);
      parents.add(secretDigest(material));
      grew = true;
    }
  }
  return [...derived];
}
