import { constants } from "node:fs";
import { open } from "node:fs/promises";
import { usageError } from "../../shared/errors.js";
import { parsePolicyDocument, policySize, validatePolicyName } from "../../shared/validate.js";
import type { PolicyDocumentShape } from "./document.js";

const MAX_FILE_BYTES = 1_000_000;

/** Reads and checks a policy document file; unreadable or invalid files are usage errors (exit 2). */
export async function readPolicy(path: string, flag: string, maxChars: number): Promise<PolicyDocumentShape> {
  return parsePolicyDocument(await readPolicyText(path, flag, maxChars), `${path} (${flag})`, maxChars);
}

/**
 * A regular file's text, at most 1 MB. O_NONBLOCK so that opening a FIFO does not wait for a
 * writer; the type is checked on the opened file, so nothing can be swapped in between.
 */
async function readPolicyText(path: string, flag: string, maxChars: number): Promise<string> {
  const unreadable = (err: unknown) =>
    usageError(
      "unreadable_file",
      `Cannot read ${path} (${flag}): ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}.`,
    );
  const file = await open(path, constants.O_RDONLY | constants.O_NONBLOCK).catch((err: unknown) => {
    throw unreadable(err);
  });
  try {
    if (!(await file.stat()).isFile())
      throw usageError(
        "unreadable_file",
        `${path} (${flag}) is not a regular file: a policy must be read from a file (not a directory, FIFO or device).`,
      );
    // One byte over the cap says "too big" without reading a file that keeps growing.
    const buffer = Buffer.alloc(MAX_FILE_BYTES + 1);
    let size = 0;
    for (;;) {
      const { bytesRead } = await file.read(buffer, size, buffer.length - size).catch((err: unknown) => {
        throw unreadable(err);
      });
      if (bytesRead === 0) break;
      size += bytesRead;
      if (size > MAX_FILE_BYTES)
        throw usageError(
          "policy_too_large",
          `Policy document ${path} (${flag}) is over 1 MB; IAM allows at most ${maxChars} characters.`,
        );
    }
    return buffer.toString("utf8", 0, size);
  } finally {
    await file.close();
  }
}

// IAM's limit for a role's inline policies, all of them together (the trust policy's is in
// core/roles/trust-source).
export const INLINE_POLICY_MAX = 10240;

/**
 * `--inline-policy NAME=FILE` values: each file read and checked, keyed by policy name. IAM
 * compares policy names case-insensitively, and counts the size of all of a role's inline
 * policies together.
 */
export async function readInlinePolicies(
  specs: string[],
  flag: string,
): Promise<Record<string, PolicyDocumentShape>> {
  const policies: Record<string, PolicyDocumentShape> = {};
  const names = new Map<string, string>();
  let total = 0;
  for (const spec of specs) {
    const eq = spec.indexOf("=");
    if (eq <= 0)
      throw usageError(
        "invalid_value",
        `Invalid inline policy ${JSON.stringify(spec)} (${flag}): must be NAME=FILE.`,
      );
    const name = validatePolicyName(spec.slice(0, eq), flag);
    const first = names.get(name.toLowerCase());
    if (first !== undefined)
      throw usageError(
        "invalid_value",
        `Inline policy ${JSON.stringify(name)} (${flag}) is given twice${first !== name ? ` (the same name as ${JSON.stringify(first)} to IAM)` : ""}: give each name once.`,
      );
    names.set(name.toLowerCase(), name);
    const doc = await readPolicy(spec.slice(eq + 1), flag, INLINE_POLICY_MAX);
    policies[name] = doc;
    total += policySize(doc);
  }
  if (total > INLINE_POLICY_MAX)
    throw usageError(
      "policy_too_large",
      `The inline policies (${flag}) are ${total} characters together without whitespace; IAM allows at most ${INLINE_POLICY_MAX} for all of a role's inline policies.`,
      {
        hint: "Move some of it into a managed policy (--managed-policy), or shorten action lists with wildcards.",
      },
    );
  return policies;
}
