import { CommanderError } from "commander";
import { colorEnabled, createOutput } from "../io/output.js";
import { stopActiveProgress } from "../io/spinner.js";
import { ExitCode, isRolectlError, RolectlError, usageError } from "../shared/errors.js";
import type { ProcessIo } from "./context.js";
import { buildProgram } from "./program.js";
import { commandLineOf } from "./render.js";

/** Runs the CLI and returns the exit status; only bin/main decides to exit the process. */
export async function runCli(given: string[], io: ProcessIo): Promise<number> {
  // `rolectl help role create` is `rolectl role create --help`, at any depth (commander's own
  // help command stops at one level).
  const argv = given[0] === "help" ? [...given.slice(1), "--help"] : given;
  // Before commander has parsed: only rolectl's own arguments count, not a child's after "--".
  const end = argv.indexOf("--");
  const own = end < 0 ? argv : argv.slice(0, end);
  const json = own.includes("--json");
  const debug = own.includes("--debug");
  const secrets = new Set<string>();
  const out = createOutput({
    secrets,
    json,
    debug,
    stdout: io.stdout,
    stderr: io.stderr,
    color: colorEnabled(io.stderr, io.env),
  });
  let parseMessage: string | undefined;
  const exitStatus: { code?: number } = {};
  const program = buildProgram(
    { ...io, exitStatus, secrets },
    {
      onParseError: (message) => {
        parseMessage = message.replace(/^error:\s*/, "").trim();
      },
    },
  );

  try {
    await program.parseAsync(argv, { from: "user" });
    return exitStatus.code ?? ExitCode.ok;
  } catch (err) {
    stopActiveProgress();
    if (err instanceof CommanderError) {
      if (err.code === "commander.helpDisplayed" || err.code === "commander.version") return ExitCode.ok;
      if (err.code === "commander.help" || err.code === "commander.executeSubCommandAsync") {
        return ExitCode.usage;
      }
      out.error(
        usageError("usage", parseMessage ?? err.message, { hint: "Run with --help to see the usage." }),
      );
      return ExitCode.usage;
    }
    const e = isRolectlError(err)
      ? err
      : new RolectlError("internal", `Unexpected error: ${(err as Error)?.message ?? String(err)}`, {
          cause: err,
          hint: "This is a bug in rolectl; run again with --debug and report what it prints.",
        });
    out.error(withResume(e, argv));
    if (debug && !isRolectlError(err) && err instanceof Error && err.stack) out.debug(err.stack);
    return e.exitCode;
  }
}

/** A plan stopped part-way: the same command finishes it (every apply re-reads what exists). */
function withResume(e: RolectlError, argv: string[]): RolectlError {
  const notDone = (e.details as { notDone?: unknown[] } | undefined)?.notDone;
  if (!notDone?.length) return e;
  const resume = commandLineOf(argv);
  return new RolectlError(e.code, `${e.message}\nTo finish, run the same command again: ${resume}`, {
    cause: e,
    ...(e.hint ? { hint: e.hint } : {}),
    details: { ...(e.details as object), resume },
  });
}
