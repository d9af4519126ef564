import { closeSync, openSync, writeSync } from "node:fs";
import { ReadStream, WriteStream } from "node:tty";
import { authError, RolectlError } from "../shared/errors.js";
import { interceptInterrupts } from "./interrupt.js";

// A prompt on the controlling terminal (/dev/tty), not on stdin/stdout: it works when stdout
// is captured ($(rolectl assume …)) and under credential_process, where the AWS CLI pipes
// both stdout and stderr.

export function canPromptOnTty(): boolean {
  try {
    const fd = openSync("/dev/tty", "r+");
    new ReadStream(fd).destroy();
    return true;
  } catch {
    return false;
  }
}

/**
 * Asks for a secret (an MFA code) on the terminal without echoing it. Enter answers; Ctrl-C is
 * an interrupt (exit 130) and Ctrl-D the end of input (exit 4): both on a new line,
 * so that the message does not run into the prompt, and nothing is left half-typed.
 */
// One prompt on the terminal at a time: two role profiles resolved at once (cross-account setup
// reads both accounts in parallel) would otherwise share the keystrokes.
let queue: Promise<unknown> = Promise.resolve();

export function promptOnTty(question: string): Promise<string> {
  const turn = queue.then(() => askOnTty(question));
  queue = turn.catch(() => {});
  return turn;
}

function askOnTty(question: string): Promise<string> {
  const fd = openSync("/dev/tty", "r+");
  const input = new ReadStream(fd);
  const output = new WriteStream(fd);
  input.setRawMode(true);
  output.write(question);
  return new Promise((resolve, reject) => {
    let typed = "";
    // A SIGINT/SIGTERM from outside while work waits here (a step asking for codes) ends the
    // prompt, as Ctrl-C typed at it does, instead of leaving the step waiting for an answer.
    const release = interceptInterrupts(() =>
      finish(() => reject(new RolectlError("interrupted", "Interrupted at the MFA prompt."))),
    );
    const finish = (then: () => void) => {
      release();
      input.setRawMode(false);
      input.off("data", onData);
      output.write("\n");
      input.destroy();
      then();
    };
    const onData = (chunk: Buffer) => {
      for (const ch of chunk.toString("utf8")) {
        if (ch === "\r" || ch === "\n") return finish(() => resolve(typed.trim()));
        if (ch === "\u0003")
          return finish(() => reject(new RolectlError("interrupted", "Interrupted at the MFA prompt.")));
        if (ch === "\u0004")
          return finish(() =>
            reject(
              authError("mfa_required", "No MFA code was given (end of input at the prompt).", {
                hint: "Type the 6-digit code from your authenticator app, or pass --mfa-code.",
              }),
            ),
          );
        if (ch === "\u007f" || ch === "\b") typed = typed.slice(0, -1);
        else if (ch >= " ") typed += ch;
      }
    };
    input.on("data", onData);
  });
}

/** The terminal's width in columns (80 when it cannot be told). */
export function ttyColumns(): number {
  try {
    const fd = openSync("/dev/tty", "r+");
    const out = new WriteStream(fd);
    const columns = out.columns;
    out.destroy();
    return columns || 80;
  } catch {
    return 80;
  }
}

/** Writes straight to the terminal (a QR code, a secret shown once): never stderr, never a log. */
export function writeToTty(text: string): void {
  const fd = openSync("/dev/tty", "w");
  try {
    writeSync(fd, text);
  } finally {
    closeSync(fd);
  }
}
