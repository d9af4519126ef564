import { readFile } from "node:fs/promises";
import { usageError } from "../../shared/errors.js";
import { parsePolicyDocument } from "../../shared/validate.js";
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
