import { Readable, Writable } from "node:stream";
import { runCli } from "../../src/cli/run.js";
import type { RunResult, Sandbox } from "./cli.js";

// Runs the CLI inside the test process, with the sandbox's env and home and pipes for stdio,
// so a table of refusals costs microseconds instead of a Node start each. AWS calls still go
// through the recording proxy (AWS_ENDPOINT_URL), so "no call was made" is still checked there.
// Use it only where the bin wrapper, the fast path and process exit do not matter.

function collector(): { stream: Writable; text: () => string } {
  let text = "";
  const stream = new Writable({
    write(chunk, _encoding, done) {
      text += chunk.toString();
      done();
    },
  });
  return { stream, text: () => text };
}

export async function runInProcess(
  sandbox: Sandbox,
  args: string[],
  env: Record<string, string> = {},
): Promise<RunResult> {
  const stdout = collector();
  const stderr = collector();
  const code = await runCli(args, {
    env: { ...sandbox.env, ...env },
    home: sandbox.home,
    stdin: Readable.from([]),
    stdout: stdout.stream,
    stderr: stderr.stream,
  });
  return { code, signal: null, stdout: stdout.text(), stderr: stderr.text() };
}
