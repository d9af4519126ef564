import { readFile } from "node:fs/promises";
import { usageError } from "../../shared/errors.js";
import { parsePolicyDocument, validatePolicyName } from "../../shared/validate.js";
import type { PolicyDocumentShape } from "./document.js";

/** Reads and checks a policy document file; unreadable or invalid files are usage errors (exit 2). */
export async function readPolicy(path: string, flag: string, maxChars: number): Promise<PolicyDocumentShape> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (err) {
    throw usageError(
      "unreadable_file",
      `Cannot read ${path} (${flag}): ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}.`,
    );
  }
  if (text.length > 1_000_000)
    throw usageError(
      "policy_too_large",
      `Policy document ${path} (${flag}) is over 1 MB; IAM allows at most ${maxChars} characters.`,
    );
  return parsePolicyDocument(text, `${path} (${flag})`, maxChars) as PolicyDocumentShape;
}

// IAM's limit for inline role policies (the trust policy's is in core/roles/trust-source).
export const INLINE_POLICY_MAX = 10240;

/** `--inline-policy NAME=FILE` values: each file read and checked, keyed by policy name. */
export async function readInlinePolicies(
  specs: string[],
  flag: string,
): Promise<Record<string, PolicyDocumentShape>> {
  const policies: Record<string, PolicyDocumentShape> = {};
  for (const spec of specs) {
    const eq = spec.indexOf("=");
    if (eq <= 0)
      throw usageError(
        "invalid_value",
        `Invalid inline policy ${JSON.stringify(spec)} (${flag}): must be NAME=FILE.`,
      );
    policies[validatePolicyName(spec.slice(0, eq), flag)] = await readPolicy(
      spec.slice(eq + 1),
      flag,
      INLINE_POLICY_MAX,
    );
  }
  return policies;
}
