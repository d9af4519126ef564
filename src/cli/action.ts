import type { Command } from "commander";
import { usageError } from "../shared/errors.js";
import { type CliContext, createContext, type GlobalOptions, type ProcessIo } from "./context.js";

/** A command's work: options of the command itself, positional arguments as commander parsed them. */
export type Handler<O = Record<string, unknown>> = (
  ctx: CliContext,
  opts: O,
  args: unknown[],
) => Promise<void>;

/** Adapts a handler to commander: merges global options and builds the context. */
export type CommandRunner = <O = Record<string, unknown>>(
  handler: Handler<O>,
) => (...args: unknown[]) => Promise<void>;

export function commandRunner(io: ProcessIo): CommandRunner {
  return <O>(handler: Handler<O>) =>
    async (...args: unknown[]) => {
      const cmd = args[args.length - 1] as Command;
      const globals = cmd.optsWithGlobals() as GlobalOptions;
      if (globals.dryRun && CHANGES_NOTHING.has(commandPath(cmd)))
        throw usageError(
          "usage",
          `--dry-run does nothing for \`rolectl ${commandPath(cmd)}\`: it changes nothing.`,
          {
            hint: "Leave out --dry-run (an option a command would ignore is refused, so it cannot mislead).",
          },
        );
      await handler(createContext(globals, io), cmd.opts() as O, cmd.processedArgs as unknown[]);
    };
}

/** Commands with nothing to plan: --dry-run would be silently ignored (exec would even run). */
const CHANGES_NOTHING = new Set([
  "whoami",
  "audit",
  "doctor",
  "exec",
  "credential-process",
  "role show",
  "service-linked-role list",
  "service-linked-role describe",
  "cache list",
]);

function commandPath(cmd: Command): string {
  const names: string[] = [];
  for (let c: Command | null = cmd; c?.parent; c = c.parent) names.unshift(c.name());
  return names.join(" ");
}
