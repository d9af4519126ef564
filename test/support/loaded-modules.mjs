// A module hook (node --import) that appends every resolved module URL to $ROLECTL_LOAD_LOG,
// so tests can prove which bundle chunks a command loads.
import { register } from "node:module";

register(
  `data:text/javascript,${encodeURIComponent(`
import { appendFileSync } from "node:fs";
export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  appendFileSync(${JSON.stringify(process.env.ROLECTL_LOAD_LOG)}, result.url + "\\n");
  return result;
}`)}`,
);
