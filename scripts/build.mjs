// Bundles src/ into dist/ as ESM with code splitting: the entry stays tiny and
// every command group, the AWS SDK, inquirer and the spinner load on demand.
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { build } from "esbuild";

const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));
const outdir = new URL("../dist/", import.meta.url).pathname;
rmSync(outdir, { recursive: true, force: true });

const result = await build({
  entryPoints: { main: "src/main.ts" },
  outdir,
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  // Prefer the ESM builds (the AWS SDK ships both): better splitting and real named exports.
  mainFields: ["module", "main"],
  target: "node20",
  minify: true,
  sourcemap: false,
  metafile: true,
  logLevel: "warning",
  chunkNames: "chunks/[name]-[hash]",
  define: { __ROLECTL_VERSION__: JSON.stringify(pkg.version) },
  // CommonJS dependencies bundled into ESM call require(); give them one.
  banner: {
    js: 'import { createRequire as __rolectlCreateRequire } from "node:module"; const require = __rolectlCreateRequire(import.meta.url);',
  },
});
writeFileSync(`${outdir}meta.json`, JSON.stringify(result.metafile));

// The fast path on its own, as one CommonJS file: the cheapest thing Node can start.
const fast = await build({
  entryPoints: ["src/fast.ts"],
  outfile: `${outdir}fast.cjs`,
  bundle: true,
  format: "cjs",
  platform: "node",
  target: "node20",
  minify: true,
  metafile: true,
  logLevel: "warning",
  define: { __ROLECTL_VERSION__: JSON.stringify(pkg.version) },
});
writeFileSync(`${outdir}meta-fast.json`, JSON.stringify(fast.metafile));
