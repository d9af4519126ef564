#!/usr/bin/env node
"use strict";
// CommonJS on purpose (bin/package.json): a CommonJS file is the cheapest start Node has.
// `--version` is answered here, a credential-cache hit by dist/fast.cjs (no SDK, no commander),
// and everything else by the ESM bundle.
const argv = process.argv.slice(2);
const first = argv[0];
if (argv.length === 1 && (first === "--version" || first === "-V")) {
  process.stdout.write(`${require("../package.json").version}\n`);
} else {
  const fast = first === "credential-process" || first === "assume" || first === "cache";
  (fast ? require("../dist/fast.cjs").runFast(argv, process.env) : Promise.resolve(false)).then((handled) => {
    if (!handled) return import("../dist/main.js");
  });
}
