import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT, type RunResult, runBin } from "./cli.js";

type Meta = { outputs: Record<string, { inputs: Record<string, unknown> }> };

/**
 * Runs the built CLI with a module-load recorder and returns the dist files it loaded and the
 * source modules bundled into them (from esbuild's metafiles).
 */
export async function loadedModules(
  args: string[],
  env: Record<string, string>,
  logFile: string,
): Promise<{ result: RunResult; files: string[]; inputs: string[] }> {
  const result = await runBin(args, {
    ...env,
    ROLECTL_LOAD_LOG: logFile,
    NODE_OPTIONS: `--require ${join(ROOT, "test/support/loaded-modules.cjs")}`,
  });
  const meta = JSON.parse(readFileSync(join(ROOT, "dist/meta.json"), "utf8")) as Meta;
  const fastMeta = JSON.parse(readFileSync(join(ROOT, "dist/meta-fast.json"), "utf8")) as Meta;
  const outputs = { ...meta.outputs, ...fastMeta.outputs };
  const files = [
    ...new Set(
      readFileSync(logFile, "utf8")
        .split("\n")
        .filter((u) => u.startsWith(`file://${ROOT}/dist/`))
        .map((u) => u.slice(`file://${ROOT}/`.length)),
    ),
  ];
  return { result, files, inputs: files.flatMap((f) => Object.keys(outputs[f]?.inputs ?? {})) };
}

export const HEAVY = /node_modules\/(@aws-sdk|@smithy|commander|inquirer|@inquirer|chalk|yocto-spinner)\//;
