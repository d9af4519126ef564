import {
  askTrustedInput,
  askTrustingInput,
  localInput,
  type SetupOptions,
} from "../../../core/cross-account/inputs.js";
import {
  applySetup,
  plannedSetup,
  planSetup,
  type SetupResult,
  setupSecrets,
} from "../../../core/cross-account/setup.js";
import type { TrustedSecrets } from "../../../core/cross-account/trusted-side.js";
import type { Verdict } from "../../../core/verdict.js";
import { validateMfaCode } from "../../../shared/validate.js";
import { askProfile } from "../../ask-profile.js";
import type { CliContext } from "../../context.js";
import { describeVerdict, settleVerification, verification } from "../../verdict.js";
import { enableCodesFor, personSeesSeed } from "./enable-codes.js";
import { describeTrusted, guardSecrets, human, tellTheTruth, withSecrets } from "./trusted-view.js";

/** `cross-account setup`: ask, plan (every read and refusal), confirm, apply, prove. */
export async function setupCommand(
  ctx: CliContext,
  o: SetupOptions & { showSecrets?: boolean },
): Promise<void> {
  const ask = { prompter: ctx.prompter, interactive: !ctx.nonInteractive };
  const profileFlag = async (value: string | undefined, message: string, flag: string) =>
    askProfile(ctx, value, { message, flag, mustExist: true });
  const trustingProfile = await profileFlag(
    o.trustingProfile,
    "Profile with admin credentials in the trusting account (Biz Corp):",
    "--trusting-profile",
  );
  const trustedProfile = await profileFlag(
    o.trustedProfile,
    "Profile with admin credentials in the trusted account (Dev Corp):",
    "--trusted-profile",
  );
  const trusting = await askTrustingInput(ask, o);
  const trusted = await askTrustedInput(ask, o);
  for (const code of trusted.mfaCodes ?? []) ctx.out.addSecret(code);
  const local = localInput(
    { ...o, ...(ctx.opts.region ? { region: ctx.opts.region } : {}) },
    trusting.roleName,
    trusted.user,
  );
  if (o.verifyMfaCode !== undefined) validateMfaCode(o.verifyMfaCode, "--verify-mfa-code");
  const dryRun = ctx.opts.dryRun === true;

  const [{ awsFilePaths }, { fileLedger }, { cacheDirFor }, { keyProver }] = await Promise.all([
    import("../../../config/files.js"),
    import("../../../cache/ledger.js"),
    import("../../../cache/location.js"),
    import("../../../core/cross-account/minted.js"),
  ]);
  const clientsA = ctx.clientsFor(trustingProfile);
  const clientsB = ctx.clientsFor(trustedProfile);
  const clients = {
    trusting: { iam: await clientsA.iam(), sts: await clientsA.sts() },
    trusted: { iam: await clientsB.iam(), sts: await clientsB.sts() },
  };
  let trustedAccount = "";
  const plan = await planSetup(clients, {
    trusting,
    trusted,
    local,
    paths: awsFilePaths(ctx.env, ctx.home),
    region: local.region ?? (await clientsB.settings()).region,
    force: o.force === true,
    enableCodes: enableCodesFor(ctx, trusted, () => trustedAccount),
    ledgerFor: (account, user) => fileLedger(cacheDirFor(ctx.env, ctx.home), account, user),
    personHoldsSeed: await personSeesSeed(ctx, trusted),
    proveKey: keyProver(clientsB.stsAs),
  });
  trustedAccount = plan.trustedCaller.account;
  if (plan.trustingCaller.account === plan.trustedCaller.account) {
    ctx.out.warn(
      `Both profiles are in account ${plan.trustingCaller.account}: the role will trust its own account (allowed, but unusual).`,
    );
  }
  if (!ctx.nonInteractive && !ctx.opts.yes && !dryRun && plan.actions.length) {
    ctx.out.info(["Plan:", ...plan.actions.map((a) => `  ${a.description}`)].join("\n"));
    if (!(await ctx.prompter.confirm({ message: "Go ahead?", flag: "--yes", default: true }))) {
      ctx.out.info("Nothing changed.");
      return;
    }
  }
  const result = await tellTheTruth(plan.trusted, () =>
    dryRun
      ? Promise.resolve(plannedSetup(plan))
      : ctx.withProgress("Cross-account setup", (onStep) => applySetup(plan, onStep)),
  );
  const secrets = setupSecrets(plan);
  guardSecrets(ctx, secrets);

  const verified =
    o.verify && !dryRun
      ? await verification(async () => {
          const { proveNewProfile } = await import("./prove.js");
          return proveNewProfile(ctx, {
            profile: local.profile,
            roleArn: plan.roleArn,
            requireMfa: trusting.requireMfa,
            ...(o.verifyMfaCode ? { code: o.verifyMfaCode } : {}),
            ...((plan.trusted.made.seed ?? plan.trusted.heldSeed)
              ? { seed: plan.trusted.made.seed ?? plan.trusted.heldSeed }
              : {}),
          });
        })
      : undefined;
  ctx.out.result(
    withSecrets({ ...result, verified: verified ? verified.verdict : null }, secrets, o.showSecrets === true),
    () =>
      describeSetup(result, {
        generated: trusting.generated,
        dryRun,
        secrets,
        ledgerPath: plan.trusted.ledgerPath,
        ...(verified ? { verified: verified.verdict } : {}),
      }),
  );
  settleVerification(verified);
}

function describeSetup(
  r: SetupResult,
  o: { generated: boolean; dryRun: boolean; verified?: Verdict; secrets: TrustedSecrets; ledgerPath: string },
): string {
  const profile = r.profile.name;
  return [
    `trusting account ${r.trusting.account}`,
    `  role        ${r.trusting.role.arn} (${human(r.trusting.role.status)})`,
    ...(o.generated ? [`  external id ${r.trusting.externalId}  (generated; also in the profile)`] : []),
    describeTrusted(r.trusted, { secrets: o.secrets, ledgerPath: o.ledgerPath }),
    "local profile",
    ...r.profile.files.map((f) => `  ${f}`),
    ...(o.verified ? describeVerdict(o.verified) : []),
    ...(o.dryRun
      ? []
      : ["", `Use it:  eval "$(rolectl assume --profile ${profile})"   or   aws --profile ${profile} …`]),
  ].join("\n");
}
