import type { Command } from "commander";
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
      await handler(createContext(globals, io), cmd.opts() as O, cmd.processedArgs as unknown[]);
    };
}
