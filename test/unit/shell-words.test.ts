import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { shellWord, splitShellWords } from "../../src/shared/shell-words.js";

// credential_process must be split exactly as botocore splits it (shlex.split, POSIX mode),
// and what we write with shellWord must come back as the same words from both splitters.

const ALPHABET = [
  "a",
  "b",
  " ",
  "\t",
  "'",
  '"',
  "\\",
  "$",
  "(",
  ")",
  ";",
  "|",
  "*",
  "é",
  "\n",
  "x",
  "\f",
  "\v",
  "\u00a0",
  "\r",
];
function randomLine(seed: number): string {
  let state = seed;
  const next = () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state >>> 16; // the low bits of this generator repeat quickly
  };
  return Array.from({ length: 1 + (next() % 14) }, () => ALPHABET[next() % ALPHABET.length]).join("");
}

const pythonSplit = (lines: string[]): (string[] | null)[] =>
  JSON.parse(
    execFileSync(
      "python3",
      [
        "-c",
        "import json,shlex,sys\nout=[]\nfor l in json.load(sys.stdin):\n  try: out.append(shlex.split(l))\n  except ValueError: out.append(None)\nprint(json.dumps(out))",
      ],
      { input: JSON.stringify(lines) },
    ).toString(),
  );

const ourSplit = (line: string): string[] | null => {
  try {
    return splitShellWords(line, "line");
  } catch {
    return null;
  }
};

describe("splitShellWords", () => {
  it("agrees with Python's shlex.split on 2,000 random lines of quotes, backslashes and shell syntax", () => {
    const lines = Array.from({ length: 2000 }, (_, i) => randomLine(i + 1));
    const theirs = pythonSplit(lines);
    // shlex gives [] for a blank line; we refuse an empty command.
    const expected = theirs.map((words) => (words && words.length === 0 ? null : words));
    const mismatches = lines.filter(
      (line, i) => JSON.stringify(ourSplit(line)) !== JSON.stringify(expected[i]),
    );
    expect(mismatches).toEqual([]);
    expect(expected.filter((w) => w === null).length).toBeGreaterThan(50); // unclosed quotes were tried
  });

  it("words quoted with shellWord come back unchanged, from both splitters", () => {
    const words = Array.from({ length: 300 }, (_, i) => randomLine(i + 7000).replace(/\n/g, ""));
    const line = words.map(shellWord).join(" ");
    expect(splitShellWords(line, "line")).toEqual(words);
    expect(pythonSplit([line])[0]).toEqual(words);
  });
});
