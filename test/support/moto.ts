import { type ChildProcess, spawn } from "node:child_process";
import { createServer } from "node:net";

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

export async function startMoto(
  options: { timeoutMs?: number; env?: Record<string, string> } = {},
): Promise<MotoServer> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  let log = "";
  const proc: ChildProcess = spawn("moto_server", ["-H", "127.0.0.1", "-p", String(port)], {
    env: { ...process.env, MOTO_IAM_LOAD_MANAGED_POLICIES: "true", ...options.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const spawnError = await new Promise<Error | undefined>((resolve) => {
    proc.once("error", (err) => resolve(err));
    proc.once("spawn", () => resolve(undefined));
  });
  if (spawnError) {
    const missing = (spawnError as NodeJS.ErrnoException).code === "ENOENT";
    throw new Error(
      missing
        ? "moto_server is not installed or not on PATH; the e2e tests need it (pip install 'moto[server]')."
        : `could not start moto_server: ${spawnError.message}`,
    );
  }
  proc.stdout?.on("data", (d) => {
    log = (log + d).slice(-4000);
  });
  proc.stderr?.on("data", (d) => {
    log = (log + d).slice(-4000);
  });

  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  while (!(await answers(url))) {
    if (proc.exitCode !== null) throw new Error(`moto_server exited with ${proc.exitCode}:\n${log}`);
    if (Date.now() > deadline) {
      proc.kill("SIGKILL");
      throw new Error(`moto_server did not answer on ${url} in time:\n${log}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }

  return {
    url,
    port,
    pid: proc.pid ?? 0,
    async reset() {
      await fetch(`${url}/moto-api/reset`, { method: "POST" });
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
