export interface InteractiveInput {
  noInputFlag: boolean;
  env: Record<string, string | undefined>;
  stdinIsTTY: boolean;
}

const truthy = (v: string | undefined) => v !== undefined && /^(1|true|yes)$/i.test(v.trim());

/**
 * Why rolectl must not prompt, or undefined when it may. The reason goes into
 * "missing value" errors so that CI users see why no prompt appeared.
 */
export function nonInteractiveReason({ noInputFlag, env, stdinIsTTY }: InteractiveInput): string | undefined {
  if (noInputFlag) return "--no-input was given";
  if (truthy(env.ROLECTL_NO_INPUT)) return "ROLECTL_NO_INPUT is set";
  if (truthy(env.CI)) return "CI=true";
  if (!stdinIsTTY) return "standard input is not a terminal";
  return undefined;
}
