import { spawn } from "node:child_process";
import { BIN } from "./cli.js";

// Drives rolectl in a pseudo-terminal (util-linux `script`), answering prompts as they appear.

export interface Exchange {
  /** Wait until the screen (since the last answer) matches this… */
  expect: RegExp;
  /** …then type this (or what this function makes of the screen so far). */
  send: string | ((screen: string) => string);
}

export async function runInPty(
  args: string[],
  env: Record<string, string>,
  exchanges: Exchange[],
  timeoutMs = 20_000,
): Promise<{ code: number | null; screen: string; asked: string[] }> {
  const quoted = [process.execPath, BIN, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(" ");
  const child = spawn("script", ["-qec", quoted, "/dev/null"], {
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
      const text = typeof next.send === "function" ? next.send(shown) : next.send;
      setTimeout(() => child.stdin.write(text), 100);
    }
  });
  const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
  const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
  clearTimeout(timer);
  // biome-ignore lint/suspicious/noControlCharactersInRegex: stripping terminal escape codes
  return { code, screen: screen.replace(/\u001b\[[0-9;?]*[A-Za-z]/g, ""), asked };
}
