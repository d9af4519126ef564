// IAM returns policy documents URL-encoded (GetRole, ListRoles, GetPolicyVersion …).

export interface PolicyStatementShape {
  Effect?: string;
  Action?: string | string[];
  Principal?: "*" | Record<string, string | string[]>;
  Condition?: Record<string, Record<string, string | string[]>>;
  [key: string]: unknown;
}

export interface PolicyDocumentShape {
  Version?: string;
  Statement?: PolicyStatementShape | PolicyStatementShape[];
}

export function decodePolicyDocument(encoded: string | undefined): PolicyDocumentShape | undefined {
  if (!encoded) return undefined;
  for (const text of [safeDecode(encoded), encoded]) {
    try {
      return JSON.parse(text) as PolicyDocumentShape;
    } catch {
      // try the next form
    }
  }
  return undefined;
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

export const statementsOf = (doc: PolicyDocumentShape | undefined): PolicyStatementShape[] =>
  doc?.Statement === undefined ? [] : Array.isArray(doc.Statement) ? doc.Statement : [doc.Statement];

/** A policy element that may be one value or a list, as a list of strings. */
export const asList = (v: unknown): string[] =>
  v === undefined ? [] : Array.isArray(v) ? v.map(String) : [String(v)];

/** Every principal a trust policy names, as "Service:x", "AWS:arn", "Federated:arn" (or "*"). */
export function trustPrincipals(doc: PolicyDocumentShape | undefined): string[] {
  const out: string[] = [];
  for (const s of statementsOf(doc)) {
    if (s.Effect !== "Allow") continue;
    if (s.Principal === "*") out.push("*");
    else
      for (const [kind, v] of Object.entries(s.Principal ?? {}))
        for (const p of asList(v)) out.push(`${kind}:${p}`);
  }
  return out;
}
