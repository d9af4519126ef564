import { fileLedger } from "../../../cache/ledger.js";
import { cacheDirFor } from "../../../cache/location.js";
import { flagOrAsk } from "../../../core/ask.js";
import { askTrustedInput, type TrustedOptions } from "../../../core/cross-account/inputs.js";
import { keyProver } from "../../../core/cross-account/minted.js";
import { secretPlaces } from "../../../core/cross-account/secret-places.js";
import { heldKeyId } from "../../../core/cross-account/setup.js";
import { planTrustedSide, trustedResult, trustedSecrets } from "../../../core/cross-account/trusted-side.js";
import { actionOf, applySteps } from "../../../core/steps.js";
import { getCallerIdentity } from "../../../core/whoami.js";
import { parseRoleArn } from "../../../shared/validate.js";
import type { CliContext } from "../../context.js";
import { enableCodesFor, personSeesSeed } from "./enable-codes.js";
import { describeTrusted, guardSecrets, tellTheTruth, withSecrets } from "./trusted-view.js";

/** `cross-account grant-user`: part 2 alone, for the admin of the trusted account. */
export async function grantUserCommand(
  ctx: CliContext,
  o: TrustedOptions & { roleArn?: string; showSecrets?: boolean },
): Promise<void> {
  const roleArn = await flagOrAsk(
    ctx.prompter,
    o.roleArn,
    { message: "Role ARN in the trusting account:", flag: "--role-arn" },
    (v) => parseRoleArn(v, "--role-arn").arn,
  );
  const role = parseRoleArn(roleArn, "--role-arn");
  const t = await askTrustedInput({ prompter: ctx.prompter, interactive: !ctx.nonInteractive }, o);
  for (const code of t.mfaCodes ?? []) ctx.out.addSecret(code);
  const { awsFilePaths } = await import("../../../config/files.js");
  const iam = await ctx.iam();
  const caller = await getCallerIdentity(await ctx.sts());
  const accessKeyOut = t.accessKeyOut ? { path: t.accessKeyOut, profile: t.user } : undefined;
  const credentialsPath = awsFilePaths(ctx.env, ctx.home).credentials;
  const inCredentials = heldKeyId(credentialsPath, t.user);
  const knownKeyIds = [
    inCredentials,
    accessKeyOut ? heldKeyId(accessKeyOut.path, accessKeyOut.profile) : undefined,
  ].filter((id) => id !== undefined);
  const ledger = fileLedger(cacheDirFor(ctx.env, ctx.home), caller.account, t.user);
  const plan = await planTrustedSide(iam, {
    caller,
    input: t,
    roleArn: role.arn,
    roleName: role.name,
    roleAccount: role.accountId,
    knownKeyIds,
    ledger,
    places: secretPlaces({
      // A key this machine's credentials file holds for the user is replaced there too.
      ...(inCredentials ? { credentials: { path: credentialsPath, profile: t.user } } : {}),
      ...(accessKeyOut ? { accessKeyOut } : {}),
      ...(t.mfaSeedOut ? { seedOut: t.mfaSeedOut } : {}),
      personHoldsSeed: await personSeesSeed(ctx, t),
    }),
    enableCodes: enableCodesFor(ctx, t, () => caller.account),
    proveKey: keyProver(ctx.stsAs),
  });
  const dryRun = ctx.opts.dryRun === true;
  const actions = dryRun
    ? plan.steps.map(actionOf)
    : await tellTheTruth(plan, () =>
        ctx.withProgress(`Trusted account ${caller.account}`, (onStep) => applySteps(plan.steps, onStep)),
      );
  const r = trustedResult(plan, dryRun);
  const secrets = trustedSecrets(plan);
  guardSecrets(ctx, secrets);
  const serial = r.mfa?.serial ?? plan.mfaSerial;
  const next = `rolectl cross-account write-profile --role-arn ${role.arn} --source-profile ${t.user}${serial ? ` --mfa-serial ${serial}` : ""} --external-id <id>`;
  ctx.out.result(withSecrets({ ...r, actions, next }, secrets, o.showSecrets === true), () =>
    describeTrusted(r, { secrets, ledgerPath: ledger.path, next }),
  );
}
