import { lstatSync } from "node:fs";
import { homedir } from "node:os";
import { fileCredentialCache } from "./cache/credential-cache.js";
import { cacheDirFor } from "./cache/location.js";
import { awsFilePaths, loadSharedConfig } from "./config/files.js";
import { cachedCredentials } from "./core/assume/chain.js";
import { formatCredentials, OUTPUT_FORMATS, type OutputFormat } from "./core/assume/format.js";
import { DEFAULT_REFRESH_WINDOW_SECONDS, exportRegion } from "./core/assume/plan.js";
import { planCredentialRequest } from "./core/assume/request.js";
import { type Env, profileFromEnv } from "./shared/env.js";

// Built on its own as dist/fast.cjs and loaded by bin/rolectl.js before anything else: the
// cache-hit path of `credential-process` and `assume`, which answers from a fresh cache entry
// without loading commander, the AWS SDK or inquirer. It has only its own tiny argv parser; the
// request is planned by the same core function the full CLI uses. It understands only the plain
// forms (--profile, --format, --json); anything else, any miss, any warning to show and any
// error go to the full CLI, so a user sees the same thing on a hit and a miss.

interface FastArgs {
  command: "credential-process" | "assume";
  profile?: string;
  format: OutputFormat;
}

function parseFastArgs(argv: string[]): FastArgs | undefined {
  const [command, ...rest] = argv;
  if (command !== "credential-process" && command !== "assume") return undefined;
  const args: FastArgs = { command, format: command === "assume" ? "export" : "credential-process" };
  let formats = 0; // --json and --format together are the full CLI's to refuse
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
    } else if (command === "assume" && flag === "--json" && inline === undefined && !formats++)
      args.format = "json";
    else if (command === "assume" && flag === "--format" && !formats++) {
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
  if (!args || !(args.profile ?? profileFromEnv(env))) return false;
  try {
    const home = homedir();
    const dir = cacheDirFor(env, home);
    const st = lstatSync(dir);
    if (!st.isDirectory() || (typeof process.getuid === "function" && st.uid !== process.getuid()))
      return false;
    const shared = loadSharedConfig(awsFilePaths(env, home));
    const { plan, warnings } = planCredentialRequest(
      shared,
      env,
      args.profile ? { profile: args.profile } : {},
    );
    if (warnings.length) return false;
    const hit = cachedCredentials(plan, fileCredentialCache(dir), Date.now(), DEFAULT_REFRESH_WINDOW_SECONDS);
    if (!hit) return false;
    const region = args.command === "assume" ? exportRegion(plan, env) : undefined;
    write(
      formatCredentials(
        {
          credentials: hit.credentials,
          ...(region ? { region } : {}),
          ...(hit.assumedRoleArn ? { assumedRoleArn: hit.assumedRoleArn } : {}),
        },
        args.format,
      ),
    );
    return true;
  } catch {
    return false;
  }
}
