import { lstatSync, writeSync } from "node:fs";
import { homedir } from "node:os";
import { fileCredentialCache } from "./cache/credential-cache.js";
import { cacheDirFor } from "./cache/location.js";
import { lookupIndexedPlan, recordIndexedPlan, takeFingerprint } from "./cache/profile-index.js";
import { isFresh, listCacheEntries, readCacheEntry } from "./cache/store.js";
import { awsFilePaths, loadSharedConfig } from "./config/files.js";
import { environmentCredentials } from "./config/profiles.js";
import { cachedCredentials } from "./core/assume/chain.js";
import { formatCredentials, OUTPUT_FORMATS, type OutputFormat } from "./core/assume/format.js";
import { credentialIdentity, DEFAULT_REFRESH_WINDOW_SECONDS, exportRegion } from "./core/assume/plan.js";
import { planCredentialRequest } from "./core/assume/request.js";
import { cacheRows, cacheTable } from "./core/cache-view.js";
import type { SessionCredentials } from "./shared/credentials.js";
import { type Env, profileFromEnv } from "./shared/env.js";
import { terminalSafe } from "./shared/terminal.js";

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

/**
 * Straight to file descriptor 1: creating process.stdout (a stream, a socket for a pipe) costs
 * a few milliseconds that `node -e 0` does not pay. The text is a few hundred bytes.
 */
function writeStdout(text: string): void {
  const buf = Buffer.from(text);
  for (let done = 0; done < buf.length; ) {
    try {
      done += writeSync(1, buf, done);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EAGAIN") throw err;
    }
  }
}

/** Answers from a fresh cache entry (or lists the cache); false means "run the full CLI". */
export async function runFast(argv: string[], env: Env, write = writeStdout): Promise<boolean> {
  if (argv[0] === "cache") return listCache(argv, env, (text) => void process.stdout.write(text));
  const args = parseFastArgs(argv);
  const profile = args && (args.profile ?? profileFromEnv(env));
  if (!args || !profile) return false;
  const text = await answerFromCache(args, profile, env);
  if (text === undefined) return false;
  // Written once: a failed write must not fall back to the full CLI, which would write again.
  try {
    write(text);
  } catch {
    process.exitCode = 1;
  }
  return true;
}

/** The credentials a fresh cache entry holds, formatted; undefined means "run the full CLI". */
async function answerFromCache(args: FastArgs, profile: string, env: Env): Promise<string | undefined> {
  try {
    const home = homedir();
    const dir = cacheDirFor(env, home);
    const st = lstatSync(dir);
    // Anything but our private directory is the full CLI's to refuse.
    if (
      !st.isDirectory() ||
      (st.mode & 0o1022) !== 0 ||
      (typeof process.getuid === "function" && st.uid !== process.getuid())
    )
      return undefined;
    const paths = awsFilePaths(env, home);
    const envKeys = environmentCredentials(env);
    const inputs = {
      configPath: paths.config,
      credentialsPath: paths.credentials,
      // An environment source's identity as its cache key has it (a digest: the index file is
      // not secret); node:crypto is loaded only when there are such keys.
      env: [env.AWS_ACCESS_KEY_ID ?? "", envKeys ? credentialIdentity("env", envKeys) : ""],
    };
    // Before the files are read: a change after this leaves a fingerprint that will not match.
    const fingerprint = takeFingerprint(inputs);
    const format = (h: { credentials: SessionCredentials; assumedRoleArn?: string }, region?: string) => {
      const exported = args.command === "assume" ? exportRegion({ region }, env) : undefined;
      return formatCredentials(
        {
          credentials: h.credentials,
          ...(exported ? { region: exported } : {}),
          ...(h.assumedRoleArn ? { assumedRoleArn: h.assumedRoleArn } : {}),
        },
        args.format,
      );
    };
    const now = Date.now();
    // Neither file changed since this profile was last planned: the same entry answers it,
    // without parsing a config that may hold thousands of profiles.
    const indexed = lookupIndexedPlan(dir, profile, fingerprint);
    if (indexed) {
      const entry = readCacheEntry(dir, indexed.cacheKey.id, indexed.cacheKey.material);
      if (!entry || !isFresh(entry, now, DEFAULT_REFRESH_WINDOW_SECONDS)) return undefined;
      return format(entry, indexed.region ?? undefined);
    }
    const shared = loadSharedConfig(paths);
    const { plan, warnings } = planCredentialRequest(
      shared,
      env,
      args.profile ? { profile: args.profile } : {},
    );
    if (warnings.length) return undefined;
    const hit = cachedCredentials(plan, fileCredentialCache(dir), now, DEFAULT_REFRESH_WINDOW_SECONDS);
    const last = plan.steps.at(-1);
    if (!hit || !last) return undefined;
    // Fingerprinted again after the read: a file changed or repointed meanwhile is not recorded.
    await recordIndexedPlan(dir, profile, fingerprint, takeFingerprint(inputs), {
      cacheKey: last.cacheKey,
      region: plan.region ?? null,
    });
    return format(hit, plan.region);
  } catch {
    return undefined;
  }
}

/** `cache list [--json]`, exactly: the same rows and text as the full CLI, without loading it. */
async function listCache(argv: string[], env: Env, write: (text: string) => void): Promise<boolean> {
  const json = argv.length === 3 && argv[2] === "--json";
  if (argv[1] !== "list" || (argv.length !== 2 && !json)) return false;
  try {
    const dir = cacheDirFor(env, homedir());
    const rows = cacheRows(await listCacheEntries(dir), Date.now());
    write(json ? `${JSON.stringify(rows, null, 2)}\n` : `${terminalSafe(cacheTable(rows, dir))}\n`);
    return true;
  } catch {
    return false;
  }
}
