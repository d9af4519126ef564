import { spawn } from "node:child_process";
import { constants } from "node:os";
import { RolectlError } from "../shared/errors.js";

// `exec`'s child: our terminal, our exit status, and the signals a supervisor sends us passed on.
// A Ctrl-C at a terminal already reaches the whole foreground group, the child included, so it
// is not sent a second time (to terraform a second SIGINT means "abort now"); without a terminal
// nobody else delivers it, so then it is forwarded too.

const ALWAYS = ["SIGTERM", "SIGHUP"] as const;
const FROM_A_TERMINAL = ["SIGINT", "SIGQUIT"] as const;

/** Runs the command; resolves to its exit status (128 + the signal's number if a signal ended it). */
export function runChild(
  command: string,
  args: string[],
  env: Record<string, string>,
  stdinIsTTY: boolean,
): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: "inherit", env });
    const taken = [...ALWAYS, ...FROM_A_TERMINAL].map((signal) => {
      const before = process.listeners(signal);
      process.removeAllListeners(signal);
      const forwards = !stdinIsTTY || (ALWAYS as readonly string[]).includes(signal);
      // Listening at all keeps rolectl alive to report the child's status.
      const listener = () => {
        if (forwards) child.kill(signal);
      };
      process.on(signal, listener);
      return { signal, listener, before };
    });
    const restore = () => {
      for (const { signal, listener, before } of taken) {
        process.off(signal, listener);
        for (const l of before) process.on(signal, l as () => void);
      }
    };
    child.on("error", (err) => {
      restore();
      const code = (err as NodeJS.ErrnoException).code;
      reject(
        code === "ENOENT"
          ? new RolectlError("command_not_found", `Cannot run ${command}: command not found.`, {
              hint: "Check the name and PATH (the command comes after --).",
            })
          : code === "EACCES"
            ? new RolectlError("command_not_executable", `Cannot run ${command}: permission denied.`)
            : new RolectlError("command_not_executable", `Cannot run ${command}: ${err.message}.`),
      );
    });
    child.on("close", (code, signal) => {
      restore();
      resolve(code ?? 128 + (signal ? (constants.signals[signal] ?? 0) : 0));
    });
  });
}
