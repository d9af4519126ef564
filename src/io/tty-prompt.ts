import { closeSync, openSync, writeSync } from "node:fs";
import { createInterface } from "node:readline";
import { ReadStream, WriteStream } from "node:tty";

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

export function promptOnTty(question: string): Promise<string> {
  const fd = openSync("/dev/tty", "r+");
  const input = new ReadStream(fd);
  const output = new WriteStream(fd);
  const rl = createInterface({ input, output, terminal: true });
  return new Promise((resolve, reject) => {
    rl.question(question, (answer) => {
      rl.close();
      input.destroy();
      resolve(answer.trim());
    });
    rl.on("SIGINT", () => {
      rl.close();
      input.destroy();
      reject(Object.assign(new Error("Interrupted."), { name: "ExitPromptError" }));
    });
  });
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
