import { spawn, spawnSync } from "node:child_process";
import { BIN } from "./cli.js";

// Drives rolectl in a pseudo-terminal (util-linux `script`), answering prompts as they appear.

export interface Exchange {
  /** Wait until the screen (since the last answer) matches this… */
  expect: RegExp;
  /** …then type this (or what this function makes of the screen so far), or send rolectl a signal. */
  send: string | ((screen: string) => string) | { signal: NodeJS.Signals };
}

/** The pids under `pid` (script → shell → node), deepest last. */
function descendants(pid: number): number[] {
  const children = spawnSync("pgrep", ["-P", String(pid)], { encoding: "utf8" })
    .stdout.split("\n")
    .filter(Boolean)
    .map(Number);
  return children.flatMap((c) => [c, ...descendants(c)]);
}

function signalRolectl(scriptPid: number, signal: NodeJS.Signals): void {
  for (const pid of descendants(scriptPid)) {
    const comm = spawnSync("ps", ["-o", "comm=", "-p", String(pid)], { encoding: "utf8" }).stdout.trim();
    if (comm === "node") process.kill(pid, signal);
  }
}

export async function runInPty(
  args: string[],
  env: Record<string, string>,
  exchanges: Exchange[],
  timeoutMs = 20_000,
  /** A shell command run in the same terminal after rolectl (e.g. `stty -a`); rolectl's status is then lost. */
  after?: string,
): Promise<{ code: number | null; screen: string; asked: string[] }> {
  const quoted = [process.execPath, BIN, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(" ");
  const command = after ? `${quoted}; echo "rolectl exited $?"; ${after}` : quoted;
  const child = spawn("script", ["-qec", command, "/dev/null"], {
    env: { ...env, TERM: "xterm" },
    stdio: ["pipe", "pipe", "pipe"],
  });
  let screen = "";
  let pending = "";
  const asked: string[] = [];
  const queue = [...exchanges];
  child.stdout.setEncoding("utf8").on("data", (d: string) => {
    screen += d;
    pending += d;
    // biome-ignore lint/suspicious/noControlCharactersInRegex: stripping terminal escape codes
    const plain = pending.replace(/\u001b\[[0-9;?]*[A-Za-z]/g, "");
    const next = queue[0];
    if (next?.expect.test(plain)) {
      queue.shift();
      asked.push(next.expect.source);
      pending = "";
      // biome-ignore lint/suspicious/noControlCharactersInRegex: stripping terminal escape codes
      const shown = screen.replace(/\u001b\[[0-9;?]*[A-Za-z]/g, "");
      const send = next.send;
      if (typeof send === "object") {
        setTimeout(() => signalRolectl(child.pid ?? 0, send.signal), 100);
        return;
      }
      const text = typeof send === "function" ? send(shown) : send;
      setTimeout(() => child.stdin.write(text), 100);
    }
  });
  const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
  const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
  clearTimeout(timer);
  // biome-ignore lint/suspicious/noControlCharactersInRegex: stripping terminal escape codes
  return { code, screen: screen.replace(/\u001b\[[0-9;?]*[A-Za-z]/g, ""), asked };
}
