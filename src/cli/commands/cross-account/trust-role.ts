import { flagOrAsk } from "../../../core/ask.js";
import { askTrustingInput, type TrustingOptions } from "../../../core/cross-account/inputs.js";
import { desiredTrustingRole, externalIdIn } from "../../../core/cross-account/trusting-side.js";
import { readRole } from "../../../core/roles/role-state.js";
import { getCallerIdentity } from "../../../core/whoami.js";
import { partitionOf, roleArnOf } from "../../../shared/arn.js";
import { validateAccountId } from "../../../shared/validate.js";
import type { CliContext } from "../../context.js";
import { provisionRole } from "../../provision.js";

/** `cross-account trust-role`: part 1 alone, for the admin of the trusting account. */
export async function trustRoleCommand(ctx: CliContext, o: TrustingOptions): Promise<void> {
  const asked = await askTrustingInput({ prompter: ctx.prompter, interactive: !ctx.nonInteractive }, o);
  // A generated id is read back from the role on a re-run, so running again changes nothing.
  const earlier = asked.generated
    ? externalIdIn((await readRole(await ctx.iam(), asked.roleName, false))?.trustPolicy)
    : undefined;
  const t = earlier ? { ...asked, externalId: earlier } : asked;
  const trustedAccount = await flagOrAsk(
    ctx.prompter,
    o.trustedAccount,
    { message: "Trusted account id:", flag: "--trust-account" },
    (v) => validateAccountId(v, "--trust-account"),
  );
  const caller = await getCallerIdentity(await ctx.sts());
  if (caller.account === trustedAccount)
    ctx.out.warn(
      "The trusted account is the account the role is in: the role then only adds the MFA/external-id checks.",
    );
  const partition = partitionOf(caller.arn);
  const outcome = await provisionRole(ctx, desiredTrustingRole(t, trustedAccount, partition), {
    force: o.force === true,
  });
  const arn = outcome.arn || roleArnOf(partition, caller.account, t.roleName);
  const next = `rolectl cross-account grant-user --profile <trusted admin> --role-arn ${arn} --user <user> --create-access-key${t.requireMfa ? " --mfa" : ""}`;
  ctx.out.result(
    {
      role: { name: t.roleName, arn, status: outcome.status, actions: outcome.actions },
      actions: outcome.actions,
      externalId: t.externalId ?? null,
      next,
    },
    () =>
      [
        `${outcome.status}  ${arn}`,
        ...(t.generated ? [`external id  ${t.externalId}  (generated; give it to the other side)`] : []),
        "Next, in the trusted account:",
        `  ${next}`,
      ].join("\n"),
  );
}
