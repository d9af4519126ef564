import type { PromptBase, Prompter } from "../shared/prompter.js";

/**
 * The flag's value when given; otherwise the wizard asks (or, non-interactively, the prompter's
 * error names the flag). Every "required unless prompted" input goes through here.
 */
export async function flagOrAsk(
  prompter: Prompter,
  value: string | undefined,
  question: PromptBase & { default?: string },
): Promise<string> {
  return value ?? prompter.input(question);
}
