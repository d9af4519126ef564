import { listProfiles, profileSettings } from "../config/files.js";
import { flagOrAsk } from "../core/ask.js";
import { usageError } from "../shared/errors.js";
import { validateProfileName } from "../shared/validate.js";
import type { CliContext } from "./context.js";

// A wizard's profile question: the known profiles as a list (with the account id where the file
// says it), so that a typo is not found out eight questions later. A long list is typed instead,
// checked against the files as it is typed.

const LIST_AT_MOST = 30;

/** What a profile is, as its settings say without asking AWS: a role (and its account), SSO, keys. */
export function profileKind(settings: Record<string, string> | undefined): string | undefined {
  const roleAccount = /^arn:aws[\w-]*:iam::(\d{12}):/.exec(settings?.role_arn ?? "")?.[1];
  if (roleAccount) return `role in account ${roleAccount}`;
  if (settings?.sso_account_id) return `SSO, account ${settings.sso_account_id}`;
  if (settings?.aws_access_key_id) return "access keys";
  if (settings?.credential_process) return "credential process";
  return undefined;
}

export async function askProfile(
  ctx: CliContext,
  given: string | undefined,
  question: { message: string; flag: string; mustExist?: boolean },
): Promise<string> {
  const check = (v: string) => validateProfileName(v, question.flag);
  if (given !== undefined || ctx.nonInteractive) return flagOrAsk(ctx.prompter, given, question, check);
  const shared = await ctx.sharedConfig();
  const known = listProfiles(shared);
  if (!known.length) return flagOrAsk(ctx.prompter, undefined, question, check);
  if (known.length > LIST_AT_MOST)
    return flagOrAsk(ctx.prompter, undefined, question, (v) => {
      const name = check(v);
      if (question.mustExist && !known.includes(name))
        throw usageError(
          "invalid_value",
          `No profile named ${JSON.stringify(name)} in your AWS config or credentials file.`,
        );
      return name;
    });
  // Not `undefined`: a select with no default starts on the choice whose value is undefined.
  const other = Symbol("another name");
  const chosen = await ctx.prompter.select<string | symbol>({
    message: question.message,
    flag: question.flag,
    choices: [
      ...known.map((name) => {
        const kind = profileKind(profileSettings(shared, name));
        return { name: kind ? `${name}  (${kind})` : name, value: name };
      }),
      ...(question.mustExist ? [] : [{ name: "Another name (type it)", value: other }]),
    ],
  });
  return typeof chosen === "string" ? chosen : flagOrAsk(ctx.prompter, undefined, question, check);
}
