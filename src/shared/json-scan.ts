import { usageError } from "./errors.js";

// JSON.parse keeps the last of two equal keys ({"Effect":"Deny","Effect":"Allow"} is an Allow),
// and deep nesting overflows the stack of whatever walks the result. This pass, run before
// JSON.parse, finds both without recursion. Syntax errors are left to JSON.parse.

export const MAX_JSON_DEPTH = 64;

/** Throws a usage error for a key given twice in one object, or nesting deeper than `maxDepth`. */
export function scanJson(text: string, source: string, maxDepth = MAX_JSON_DEPTH): void {
  // One entry per open container: the keys seen so far for an object, null for an array.
  const stack: (Set<string> | null)[] = [];
  let expectKey = false;
  let line = 1;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === "\n") line++;
    else if (c === "{" || c === "[") {
      if (stack.length >= maxDepth)
        throw usageError(
          "invalid_policy",
          `${source} is nested more than ${maxDepth} levels deep (line ${line}); a policy never needs that.`,
        );
      stack.push(c === "{" ? new Set() : null);
      expectKey = c === "{";
    } else if (c === "}" || c === "]") {
      stack.pop();
      expectKey = false;
    } else if (c === ",") expectKey = stack.at(-1) instanceof Set;
    else if (c === '"') {
      let end = i + 1;
      while (end < text.length && text[end] !== '"') end += text[end] === "\\" ? 2 : 1;
      const keys = stack.at(-1);
      if (expectKey && keys) {
        const key = decodeKey(text.slice(i, end + 1));
        if (keys.has(key))
          throw usageError(
            "invalid_policy",
            `${source} has the key ${JSON.stringify(key)} twice in one object (line ${line}): JSON keeps only the last, so give each key once.`,
          );
        keys.add(key);
        expectKey = false;
      }
      i = end;
    }
  }
}

/** "\u0045ffect" and "Effect" are one key to JSON.parse. */
function decodeKey(quoted: string): string {
  try {
    return JSON.parse(quoted) as string;
  } catch {
    return quoted; // malformed: JSON.parse reports it afterwards
  }
}
