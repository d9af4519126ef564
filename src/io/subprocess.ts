import { spawn } from "node:child_process";

/**
 * Runs a configured command line (mfa_process, credential_process) through the shell and
 * returns its stdout. stderr goes to our stderr so that the command can talk to the user;
 * stdin is the terminal's, so that it can prompt.
 */
export function runShellCommand(command: string, timeoutMs = 120_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, { shell: true, stdio: ["inherit", "pipe", "inherit"] });
    let stdout = "";
    child.stdout.setEncoding("utf8").on("data", (d) => {
      stdout += d;
    });
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
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
