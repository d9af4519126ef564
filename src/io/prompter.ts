import { RolectlError, usageError } from "../shared/errors.js";
import type { PromptBase, Prompter } from "../shared/prompter.js";

export type { Choice, PromptBase, Prompter } from "../shared/prompter.js";

// Prompts live only here. Core code receives a Prompter and never knows whether a person,
// a test or a CI job is answering.

/** The prompter for CI and --no-input: every question is an error naming its flag. */
export function createNonInteractivePrompter(reason: string): Prompter {
  const missing = (q: PromptBase): never => {
    throw usageError(
      "missing_input",
      `Missing required value ${q.flag}: ${q.message.replace(/[?:]\s*$/, "")}.`,
      {
        hint: `rolectl is running non-interactively (${reason}); pass ${q.flag}.`,
      },
    );
  };
  return {
    input: async (q) => missing(q),
    secret: async (q) => missing(q),
    confirm: async (q) => {
      throw usageError("confirmation_required", `${q.message.replace(/\?\s*$/, "")}: confirmation needed.`, {
        hint: `rolectl is running non-interactively (${reason}); pass ${q.flag} to confirm.`,
      });
    },
    select: async (q) => missing(q),
  };
}

export interface PromptStreams {
  input: NodeJS.ReadableStream;
  /** Prompts are drawn on stderr so that stdout stays the command's result. */
  output: NodeJS.WritableStream;
}

/** inquirer behind the Prompter interface, loaded only when a question is really asked. */
export function createInquirerPrompter(streams: PromptStreams): Prompter {
  const ask = async <T>(question: Record<string, unknown>): Promise<T> => {
    const { default: inquirer } = await import("inquirer");
    const prompt = inquirer.createPromptModule({ input: streams.input, output: streams.output } as never);
    try {
      const answers = (await prompt([{ ...question, name: "value" }] as never)) as { value: T };
      return answers.value;
    } catch (err) {
      if ((err as Error).name === "ExitPromptError") {
        throw new RolectlError("interrupted", "Interrupted.");
      }
      throw err;
    }
  };
  return {
    input: (q) => ask({ type: "input", message: q.message, default: q.default, validate: q.validate }),
    secret: (q) => ask({ type: "password", mask: "*", message: q.message, validate: q.validate }),
    confirm: (q) => ask({ type: "confirm", message: q.message, default: q.default ?? false }),
    select: (q) => ask({ type: "list", message: q.message, choices: q.choices, default: q.default }),
  };
}
