// Preloaded (node --import) to report the process's peak resident set size when it exits.
import { appendFileSync } from "node:fs";

process.on("exit", () => {
  if (process.env.ROLECTL_RSS_FILE)
    appendFileSync(process.env.ROLECTL_RSS_FILE, `${process.resourceUsage().maxRSS}\n`);
});
