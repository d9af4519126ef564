import { type SpawnOptions, spawn } from "node:child_process";

// Credentials or a code are a few KB; more is a runaway command, not an answer.
const MAX_OUTPUT = 1024 * 1024;

/**
 * Runs a configured command and returns its stdout. stderr goes to our stderr so that the
 * command can talk to the user; stdin is the terminal's, so that it can prompt.
 * `mfa_process` is a shell command line (as aws-vault runs it); `credential_process` is an
 * argument list, split as botocore splits it and run without a shell.
 */
export function runCommand(
  command: { shell: string } | { argv: string[] },
  env: Record<string, string>,
  timeoutMs = 120_000,
): Promise<string> {
  return new Promise((resolve, reject) => {
    // Its own process group, so that a timeout ends everything it started (a `sleep` in a
    // script would otherwise live on, reparented to init) — unless a person may be typing to
    // it: a background group reading the terminal would be stopped (SIGTTIN).
    const detached = !process.stdin.isTTY;
    const options: SpawnOptions = { env, detached, stdio: ["inherit", "pipe", "inherit"] };
    const child =
      "shell" in command
        ? spawn(command.shell, { ...options, shell: true })
        : spawn(command.argv[0] as string, command.argv.slice(1), options);
    const killAll = () => {
      try {
        if (detached && child.pid) process.kill(-child.pid, "SIGKILL");
        else child.kill("SIGKILL");
      } catch {
        child.kill("SIGKILL");
      }
    };
    let stdout = "";
    child.stdout?.setEncoding("utf8").on("data", (d: string) => {
      stdout += d;
      if (stdout.length > MAX_OUTPUT) {
        killAll();
        reject(new Error(`printed more than ${MAX_OUTPUT / 1024} KB`));
      }
    });
    const timer = setTimeout(() => {
      killAll();
      reject(new Error(`timed out after ${timeoutMs / 1000} s`));
    }, timeoutMs);
    child.on("error", (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(stdout.trim());
      else reject(new Error(signal ? `killed by ${signal}` : `exited with status ${code}`));
    });
  });
}
