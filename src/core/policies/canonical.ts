// Two policy documents mean the same when they differ only in key order, in a one-element
// array versus its element, or in the order of string lists. IAM hands documents back in the
// form they were given, so comparing canonical forms tells drift from noise.

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

export function canonicalPolicy(value: unknown): Json {
  if (Array.isArray(value)) {
    const items = value.map(canonicalPolicy);
    if (items.length === 1) return items[0] as Json;
    return items.every((i) => typeof i === "string") ? [...(items as string[])].sort() : items;
  }
  if (value && typeof value === "object") {
    const out: { [k: string]: Json } = {};
    for (const key of Object.keys(value).sort())
      out[key] = canonicalPolicy((value as Record<string, unknown>)[key]);
    return out;
  }
  return value as Json;
}

/** The document with its keys sorted at every level, its shape (arrays included) kept: for showing. */
export function sortedKeys(value: unknown): Json {
  if (Array.isArray(value)) return value.map(sortedKeys);
  if (value && typeof value === "object") {
    const out: { [k: string]: Json } = {};
    for (const key of Object.keys(value).sort())
      out[key] = sortedKeys((value as Record<string, unknown>)[key]);
    return out;
  }
  return value as Json;
}

export const policiesEqual = (a: unknown, b: unknown): boolean =>
  JSON.stringify(canonicalPolicy(a)) === JSON.stringify(canonicalPolicy(b));
