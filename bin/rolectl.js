#!/usr/bin/env node
"use strict";
// CommonJS on purpose (bin/package.json): a CommonJS file is the cheapest start Node has.
// `--version` is answered here, a credential-cache hit by dist/fast.cjs (no SDK, no commander),
// and everything else by the ESM bundle.
const argv = process.argv.slice(2);
const first = argv[0];
if (typeof process.getBuiltinModule !== "function") {
  // Node 20.16 added it; rolectl loads node:crypto through it only when it needs it.
  process.stderr.write(`error: rolectl needs Node.js 20.16 or later; this is ${process.version}.\n`);
  process.exitCode = 1;
} else if (argv.length === 1 && (first === "--version" || first === "-V")) {
  process.stdout.write(`${require("../package.json").version}\n`);
} else {
  const fast = first === "credential-process" || first === "assume" || first === "cache";
  (fast ? require("../dist/fast.cjs").runFast(argv, process.env) : Promise.resolve(false)).then((handled) => {
    if (!handled) return import("../dist/main.js");
  });
}
