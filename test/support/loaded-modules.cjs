// Preloaded with `node --require`: records every module the process loads into
// $ROLECTL_LOAD_LOG, CommonJS (require.cache at exit) and ESM (a resolve hook), so tests can
// prove what a command pulls in.
const { appendFileSync } = require("node:fs");
const { register } = require("node:module");
const log = process.env.ROLECTL_LOAD_LOG;

register(
  `data:text/javascript,${encodeURIComponent(`
import { appendFileSync } from "node:fs";
export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  appendFileSync(${JSON.stringify(log)}, result.url + "\\n");
  return result;
}`)}`,
);
process.on("exit", () => {
  appendFileSync(
    log,
    `${Object.keys(require.cache)
      .map((p) => `file://${p}`)
      .join("\n")}\n`,
  );
});
