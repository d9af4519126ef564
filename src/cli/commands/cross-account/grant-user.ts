import { askTrustedInput, type TrustedOptions } from "../../../core/cross-account/inputs.js";
import { heldKeyId } from "../../../core/cross-account/setup.js";
import { planTrustedSide, trustedResult } from "../../../core/cross-account/trusted-side.js";
import { applySteps } from "../../../core/steps.js";
import { getCallerIdentity } from "../../../core/whoami.js";
import { parseRoleArn } from "../../../shared/validate.js";
import type { CliContext } from "../../context.js";
import { enableCodesFor } from "./enable-codes.js";
import { describeTrusted, guardSecrets } from "./trusted-view.js";

/** `cross-account grant-user`: part 2 alone, for the admin of the trusted account. */
export async function grantUserCommand(
  ctx: CliContext,
  o: TrustedOptions & { roleArn?: string },
): Promise<void> {
  const role = parseRoleArn(
    o.roleArn ??
      (await ctx.prompter.input({ message: "Role ARN in the trusting account:", flag: "--role-arn" })),
    "--role-arn",
  );
  const t = await askTrustedInput({ prompter: ctx.prompter, interactive: !ctx.nonInteractive }, o);
  for (const code of t.mfaCodes ?? []) ctx.out.addSecret(code);
  const { awsFilePaths } = await import("../../../config/files.js");
  const iam = await ctx.iam();
  const caller = await getCallerIdentity(await ctx.sts());
  const knownKeyId = heldKeyId(awsFilePaths(ctx.env, ctx.home).credentials, t.user);
  const plan = await planTrustedSide(iam, {
    caller,
    input: t,
    roleArn: role.arn,
    roleName: role.name,
    roleAccount: role.accountId,
    ...(knownKeyId ? { knownKeyId } : {}),
    enableCodes: enableCodesFor(ctx, t, () => caller.account),
  });
  const dryRun = ctx.opts.dryRun === true;
  const actions = dryRun
    ? plan.steps.map((s) => s.description)
    : await ctx.withProgress(`Trusted account ${caller.account}`, (onStep) => applySteps(plan.steps, onStep));
  const r = trustedResult(plan, dryRun, t.mfaSeedOut);
  guardSecrets(ctx, r);
  const serial = r.mfa?.serial ?? plan.mfaSerial;
  const next = `rolectl cross-account write-profile --role-arn ${role.arn} --source-profile ${t.user}${serial ? ` --mfa-serial ${serial}` : ""} --external-id <id>`;
  ctx.out.result({ ...r, actions, next }, () => describeTrusted(r, next));
}
