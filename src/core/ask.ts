import { isRolectlError } from "../shared/errors.js";
import type { PromptBase, Prompter } from "../shared/prompter.js";

/**
 * The flag's value when given; otherwise the wizard asks (or, non-interactively, the prompter's
 * error names the flag). Every "required unless prompted" input goes through here.
 *
 * `check` validates (and may normalise) the value. A bad flag is an error, as always; a bad
 * answer is asked again with the rule shown, so that one typo does not end the wizard and leave
 * the next line the user types to the shell.
 */
export async function flagOrAsk(
  prompter: Prompter,
  value: string | undefined,
  question: PromptBase & { default?: string },
  check: (value: string) => string = (v) => v,
): Promise<string> {
  if (value !== undefined) return check(value);
  const answer = await prompter.input({
    ...question,
    validate: (typed) => {
      try {
        check(typed);
        return true;
      } catch (err) {
        return isRolectlError(err) ? err.message : String(err);
      }
    },
  });
  return check(answer);
}

/** An optional answer: empty is none, anything else is checked (and asked again when wrong). */
export async function optionalAnswer(
  prompter: Prompter,
  question: PromptBase,
  check: (value: string) => string,
): Promise<string | undefined> {
  const answer = await flagOrAsk(prompter, undefined, question, (v) => (v.trim() ? check(v.trim()) : ""));
  return answer || undefined;
}
