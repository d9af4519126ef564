import type { PromptBase } from "../io/prompter.js";
import type { CliContext } from "./context.js";

/**
 * The flag's value when given; otherwise the wizard asks (or, non-interactively, a usage error
 * names the flag). Every "required unless prompted" input goes through here.
 */
export async function flagOrAsk(
  ctx: CliContext,
  value: string | undefined,
  question: PromptBase & { default?: string },
): Promise<string> {
  return value ?? ctx.prompter.input(question);
}
