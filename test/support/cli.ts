import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

// Runs the built CLI (bin/rolectl.js) as a child process in a sandbox: its own HOME, AWS
// config/credentials files and cache dir, and AWS_ENDPOINT_URL pointing at the test proxy.

export const ROOT = resolve(import.meta.dirname, "../..");
export const BIN = join(ROOT, "bin/rolectl.js");

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  env?: Record<string, string | undefined>;
  input?: string;
  timeoutMs?: number;
  /** Called once the child has started (e.g. to send it a signal). */
  onSpawn?: (child: import("node:child_process").ChildProcess) => void;
}

export interface Sandbox {
  dir: string;
  home: string;
  configPath: string;
  credentialsPath: string;
  cacheDir: string;
  env: Record<string, string>;
  writeConfig(text: string): void;
  writeCredentials(text: string): void;
  run(args: string[], options?: RunOptions): Promise<RunResult>;
  cleanup(): void;
}

/** Keys moto accepts; unknown access keys act in moto's default account 123456789012. */
export const DEFAULT_CREDENTIALS =
  "[default]\naws_access_key_id = AKIAIOSFODNN7DEFAULT\naws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYzDEFAULTKEY\n";

export function createSandbox(options: { endpoint?: string; credentials?: string } = {}): Sandbox {
  const dir = mkdtempSync(join(tmpdir(), "rolectl-e2e-"));
  const home = join(dir, "home");
  const awsDir = join(home, ".aws");
  mkdirSync(awsDir, { recursive: true });
  const configPath = join(awsDir, "config");
  const credentialsPath = join(awsDir, "credentials");
  const cacheDir = join(dir, "cache");
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    HOME: home,
    AWS_CONFIG_FILE: configPath,
    AWS_SHARED_CREDENTIALS_FILE: credentialsPath,
    ROLECTL_CACHE_DIR: cacheDir,
    AWS_EC2_METADATA_DISABLED: "true",
    ...(options.endpoint ? { AWS_ENDPOINT_URL: options.endpoint } : {}),
  };
  writeFileSync(credentialsPath, options.credentials ?? DEFAULT_CREDENTIALS, { mode: 0o600 });

  return {
    dir,
    home,
    configPath,
    credentialsPath,
    cacheDir,
    env,
    writeConfig: (text) => writeFileSync(configPath, text),
    writeCredentials: (text) => writeFileSync(credentialsPath, text, { mode: 0o600 }),
    run: (args, runOptions = {}) => runBin(args, { ...env, ...runOptions.env }, runOptions),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

export function runBin(
  args: string[],
  env: Record<string, string | undefined>,
  options: RunOptions = {},
): Promise<RunResult> {
  return runProgram(process.execPath, [BIN, ...args], env, options);
}

/**
 * Runs any program asynchronously. (Never spawnSync a client of the in-process proxy: it would
 * block the event loop that the proxy answers on.)
 */
export function runProgram(
  file: string,
  args: string[],
  env: Record<string, string | undefined>,
  options: RunOptions = {},
): Promise<RunResult> {
  return new Promise((resolvePromise, reject) => {
    const clean = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined)) as Record<
      string,
      string
    >;
    const child = spawn(file, args, { env: clean, stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d) => {
      stdout += d;
    });
    child.stderr.setEncoding("utf8").on("data", (d) => {
      stderr += d;
    });
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(
        new Error(
          `${file} ${args.join(" ")} did not finish in ${options.timeoutMs ?? 30_000} ms\nstderr: ${stderr}`,
        ),
      );
    }, options.timeoutMs ?? 30_000);
    child.on("error", reject);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      resolvePromise({ code, signal, stdout, stderr });
    });
    options.onSpawn?.(child);
    child.stdin.end(options.input ?? "");
  });
}
