import { lstatSync } from "node:fs";
import { homedir } from "node:os";
import { cacheDirFor } from "./cache/location.js";
import { isFresh, readCacheEntry } from "./cache/store.js";
import { awsFilePaths, type Env, loadSharedConfig } from "./config/files.js";
import { resolveProfile } from "./config/profiles.js";
import { formatCredentials, OUTPUT_FORMATS, type OutputFormat } from "./core/assume/format.js";
import { DEFAULT_REFRESH_WINDOW_SECONDS, exportRegion, planChain } from "./core/assume/plan.js";

// Built on its own as dist/fast.cjs and loaded by bin/rolectl.js before anything else: the
// cache-hit path of `credential-process` and `assume`, which answers from a fresh cache entry
// without loading commander, the AWS SDK or inquirer. It understands only the plain forms
// (--profile, --format, --json); anything else, any miss and any error go to the full CLI,
// which then reports problems properly.

interface FastArgs {
  command: "credential-process" | "assume";
  profile?: string;
  format: OutputFormat;
}

function parseFastArgs(argv: string[]): FastArgs | undefined {
  const [command, ...rest] = argv;
  if (command !== "credential-process" && command !== "assume") return undefined;
  const args: FastArgs = { command, format: command === "assume" ? "export" : "credential-process" };
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i] as string;
    const [flag, inline] =
      arg.startsWith("--") && arg.includes("=")
        ? [arg.slice(0, arg.indexOf("=")), arg.slice(arg.indexOf("=") + 1)]
        : [arg, undefined];
    const value = () => inline ?? rest[++i];
    if (flag === "--profile") {
      const name = value();
      if (!name) return undefined;
      args.profile = name;
    } else if (command === "assume" && flag === "--json" && inline === undefined) args.format = "json";
    else if (command === "assume" && flag === "--format") {
      const f = value();
      if (!OUTPUT_FORMATS.includes(f as OutputFormat)) return undefined;
      args.format = f as OutputFormat;
    } else return undefined;
  }
  return args;
}

/** Answers from a fresh cache entry; false means "run the full CLI". */
export async function runFast(
  argv: string[],
  env: Env,
  write = (text: string) => void process.stdout.write(text),
): Promise<boolean> {
  const args = parseFastArgs(argv);
  const profile = args?.profile ?? (env.AWS_PROFILE || undefined);
  if (!args || !profile) return false;
  try {
    const home = homedir();
    const dir = cacheDirFor(env, home);
    const st = lstatSync(dir);
    if (!st.isDirectory() || (typeof process.getuid === "function" && st.uid !== process.getuid()))
      return false;
    const plan = planChain(resolveProfile(loadSharedConfig(awsFilePaths(env, home)), profile), env);
    const last = plan.steps.at(-1);
    if (!last) return false;
    const entry = readCacheEntry(dir, last.key, last.keyMaterial);
    if (!entry || !isFresh(entry, Date.now(), DEFAULT_REFRESH_WINDOW_SECONDS)) return false;
    const region = args.command === "assume" ? exportRegion(plan, env) : undefined;
    write(
      formatCredentials(
        {
          credentials: entry.credentials,
          ...(region ? { region } : {}),
          ...(entry.assumedRoleArn ? { assumedRoleArn: entry.assumedRoleArn } : {}),
        },
        args.format,
      ),
    );
    return true;
  } catch {
    return false;
  }
}
