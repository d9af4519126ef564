import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "./cli.js";

// bench/RELIABILITY.md is written by more than one suite: each owns a marked section and
// replaces only that, so the file always shows the latest run of every suite.

const REPORT = join(ROOT, "bench/RELIABILITY.md");
const HEAD =
  "# rolectl reliability and security\n\nWritten by `npm run test:reliability`: each section is the latest run of its suite, against moto_server through the fault proxy.\n";

export function writeReportSection(name: string, markdown: string): void {
  const begin = `<!-- ${name} -->`;
  const end = `<!-- /${name} -->`;
  const block = `${begin}\n${markdown.trimEnd()}\n${end}`;
  let text = existsSync(REPORT) ? readFileSync(REPORT, "utf8") : "";
  if (!text.startsWith(HEAD)) text = HEAD; // an older layout: start over
  const at = text.indexOf(begin);
  const stop = text.indexOf(end);
  text =
    at >= 0 && stop > at
      ? `${text.slice(0, at)}${block}${text.slice(stop + end.length)}`
      : `${text.trimEnd()}\n\n${block}\n`;
  writeFileSync(REPORT, text);
}
