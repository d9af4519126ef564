import { configError } from "./errors.js";

/** One word for a POSIX shell and for Python's shlex alike: quoted only when it must be. */
export const shellWord = (arg: string) =>
  /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, "'\\''")}'`;

/**
 * A command line split into words the way botocore splits credential_process (Python's
 * shlex.split, POSIX mode): whitespace separates, '…' is literal, "…" lets \ escape only
 * " and \, and a bare \ escapes the next character. No expansion of any kind happens, so
 * `$(…)`, `;` and `|` are plain characters of a word.
 */
export function splitShellWords(line: string, what: string): string[] {
  const words: string[] = [];
  let word = "";
  let inWord = false;
  let quote: "'" | '"' | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i] as string;
    if (quote === "'") {
      if (c === "'") quote = undefined;
      else word += c;
    } else if (quote === '"') {
      if (c === '"') quote = undefined;
      else if (c === "\\" && (line[i + 1] === '"' || line[i + 1] === "\\")) word += line[++i];
      else word += c;
    } else if (c === "'" || c === '"') {
      quote = c;
      inWord = true;
    } else if (c === "\\") {
      if (i + 1 >= line.length) throw configError("config_invalid", `${what} ends with a lone backslash.`);
      word += line[++i];
      inWord = true;
    } else if (" \t\r\n".includes(c)) {
      // shlex's whitespace, exactly (not \f, \v or a no-break space)
      if (inWord) words.push(word);
      word = "";
      inWord = false;
    } else {
      word += c;
      inWord = true;
    }
  }
  if (quote) throw configError("config_invalid", `${what} has an unclosed ${quote} quote.`);
  if (inWord) words.push(word);
  if (!words.length) throw configError("config_invalid", `${what} is empty.`);
  return words;
}
