import { type ChildProcess, spawn } from "node:child_process";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";

// Starts a real moto_server for the e2e suite on a free loopback port and stops it by its pid.

export interface MotoServer {
  url: string;
  port: number;
  pid: number;
  /** Forgets every resource (POST /moto-api/reset). */
  reset(): Promise<void>;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      const port = typeof addr === "object" && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

async function answers(url: string): Promise<boolean> {
  try {
    const res = await fetch(`${url}/moto-api/data.json`, { signal: AbortSignal.timeout(1000) });
    return res.ok;
  } catch {
    return false;
  }
}

/** The AWS managed policies the e2e suite attaches; an account with only these is quick to make. */
export const TEST_MANAGED_POLICIES = [
  "AdministratorAccess",
  "AdministratorAccess-Amplify",
  "AmplifyBackendDeployFullAccess",
  "AWSLambdaExecute",
  "PowerUserAccess",
  "ReadOnlyAccess",
];

const LAUNCHER = fileURLToPath(new URL("./moto_server.py", import.meta.url));

interface Launched {
  proc: ChildProcess;
  log: () => string;
}

async function launch(file: string, args: string[], env: NodeJS.ProcessEnv): Promise<Launched> {
  let log = "";
  const proc: ChildProcess = spawn(file, args, { env, stdio: ["ignore", "pipe", "pipe"] });
  const spawnError = await new Promise<Error | undefined>((resolve) => {
    proc.once("error", (err) => resolve(err));
    proc.once("spawn", () => resolve(undefined));
  });
  if (spawnError) {
    const missing = (spawnError as NodeJS.ErrnoException).code === "ENOENT";
    throw new Error(
      missing
        ? `${file} is not installed or not on PATH; the e2e tests need moto (pip install 'moto[server]').`
        : `could not start ${file}: ${spawnError.message}`,
    );
  }
  const keep = (d: Buffer) => {
    log = (log + d).slice(-4000);
  };
  proc.stdout?.on("data", keep);
  proc.stderr?.on("data", keep);
  return { proc, log: () => log };
}

/** Waits until moto answers; undefined if the process exited first (with its exit code in `exited`). */
async function waitForAnswer(
  url: string,
  { proc, log }: Launched,
  timeoutMs: number,
): Promise<number | undefined> {
  const deadline = Date.now() + timeoutMs;
  // Our moto, not whatever else answers there: another test file's proxy (which forwards to
  // its own moto) could hold the port if it was taken between freePort() and moto's bind.
  const port = new URL(url).port;
  while (!log().includes(`:${port}`) || !(await answers(url))) {
    if (proc.exitCode !== null) return proc.exitCode;
    if (Date.now() > deadline) {
      proc.kill("SIGKILL");
      throw new Error(`moto_server did not answer on ${url} in time:\n${log()}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return undefined;
}

/**
 * `managedPolicies`: "all" (moto's full set, slow per account), "none", or the names to load
 * (through moto_server.py, falling back to the full set when that Python cannot import moto).
 */
type MotoOptions = { timeoutMs?: number; managedPolicies?: "all" | "none" | string[] };

export async function startMoto(options: MotoOptions = {}): Promise<MotoServer> {
  // The free port can be taken before moto binds it (other test files start servers too).
  for (let attempt = 1; ; attempt++) {
    try {
      return await startMotoOn(await freePort(), options);
    } catch (err) {
      if (attempt >= 3 || !/Address already in use/i.test(String(err))) throw err;
    }
  }
}

async function startMotoOn(port: number, options: MotoOptions): Promise<MotoServer> {
  const url = `http://127.0.0.1:${port}`;
  const args = ["-H", "127.0.0.1", "-p", String(port)];
  const wanted = options.managedPolicies ?? "all";
  const env = { ...process.env, MOTO_IAM_LOAD_MANAGED_POLICIES: wanted === "none" ? "false" : "true" };
  const timeoutMs = options.timeoutMs ?? 30_000;

  let launched: Launched | undefined;
  if (Array.isArray(wanted)) {
    const subset = await launch("python3", [LAUNCHER, ...args], {
      ...env,
      ROLECTL_MOTO_MANAGED_POLICIES: wanted.join(","),
    }).catch(() => undefined);
    const exited = subset && (await waitForAnswer(url, subset, timeoutMs));
    if (subset && exited === undefined) launched = subset;
    else if (exited !== 3 && subset)
      throw new Error(`moto_server.py exited with ${exited}:\n${subset.log()}`);
  }
  if (!launched) {
    launched = await launch("moto_server", args, env);
    const exited = await waitForAnswer(url, launched, timeoutMs);
    if (exited !== undefined) throw new Error(`moto_server exited with ${exited}:\n${launched.log()}`);
  }
  const { proc } = launched;

  return {
    url,
    port,
    pid: proc.pid ?? 0,
    async reset() {
      const res = await fetch(`${url}/moto-api/reset`, { method: "POST" });
      if (!res.ok) throw new Error(`moto reset failed: HTTP ${res.status}`);
    },
    async stop() {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      const exited = new Promise((r) => proc.once("exit", r));
      proc.kill("SIGTERM");
      const timer = setTimeout(() => proc.kill("SIGKILL"), 3000);
      await exited;
      clearTimeout(timer);
    },
  };
}
