// The full CLI, loaded by bin/rolectl.js whenever dist/fast.cjs could not answer alone.
// Everything is imported on demand so each command loads only what it uses.

// Newer SDK releases warn about Node 20 on every first call; a CLI must not show that.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

const { ExitCode } = await import("./shared/errors.js");
const { deliverInterrupt } = await import("./io/interrupt.js");
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, async () => {
    if (deliverInterrupt()) return; // a plan being applied stops after its current step
    const { stopActiveProgress } = await import("./io/spinner.js");
    stopActiveProgress();
    process.stderr.write("\nInterrupted.\n");
    process.exit(ExitCode.interrupted);
  });
}
const { runCli } = await import("./cli/run.js");
const code = await runCli(process.argv.slice(2), {
  env: process.env,
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
});
// Exit now rather than wait for idle keep-alive sockets — once what was written has gone out:
// a pipe takes 64 KB at a time, and a large --json answer would be cut at exit.
const flushed = (stream: NodeJS.WriteStream) =>
  new Promise<void>((resolve) => (stream.writableLength ? stream.write("", () => resolve()) : resolve()));
await Promise.all([flushed(process.stdout), flushed(process.stderr)]);
process.exit(code);
