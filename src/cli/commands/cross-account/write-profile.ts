import { flagOrAsk } from "../../../core/ask.js";
import { localInput, type WriteProfileOptions } from "../../../core/cross-account/inputs.js";
import {
  checkProfileConflicts,
  type ProfileWrite,
  profileWriteSteps,
  roleProfileValues,
} from "../../../core/cross-account/local-profile.js";
import { actionOf, applySteps } from "../../../core/steps.js";
import {
  parseRoleArn,
  validateAccessKeyId,
  validateExternalId,
  validateMfaSerial,
} from "../../../shared/validate.js";
import { askProfile } from "../../ask-profile.js";
import type { CliContext } from "../../context.js";

/** `cross-account write-profile`: part 3 alone, on the developer's machine. */
export async function writeProfileCommand(ctx: CliContext, o: WriteProfileOptions): Promise<void> {
  const role = parseRoleArn(
    await flagOrAsk(
      ctx.prompter,
      o.roleArn,
      { message: "Role ARN:", flag: "--role-arn" },
      (v) => parseRoleArn(v, "--role-arn").arn,
    ),
    "--role-arn",
  );
  const sourceProfile = await askProfile(ctx, o.sourceProfile, {
    message: "Source profile (the user's keys):",
    flag: "--source-profile",
  });
  const l = localInput(
    { ...o, sourceProfile, ...(ctx.opts.region ? { region: ctx.opts.region } : {}) },
    role.name,
    undefined,
  );
  const externalId =
    o.externalId === undefined ? undefined : validateExternalId(o.externalId, "--external-id");
  const mfaSerial = o.mfaSerial === undefined ? undefined : validateMfaSerial(o.mfaSerial, "--mfa-serial");
  let keys: ProfileWrite["keys"];
  if (o.accessKeyId !== undefined) {
    const secret =
      ctx.env.ROLECTL_SECRET_ACCESS_KEY ??
      (await ctx.prompter.secret({ message: "Secret access key:", flag: "ROLECTL_SECRET_ACCESS_KEY" }));
    ctx.out.addSecret(secret);
    keys = { accessKeyId: validateAccessKeyId(o.accessKeyId, "--access-key-id"), secretAccessKey: secret };
  }
  const { awsFilePaths } = await import("../../../config/files.js");
  const values = roleProfileValues({
    profile: l.profile,
    roleArn: role.arn,
    sourceProfile: l.sourceProfile,
    ...(mfaSerial ? { mfaSerial } : {}),
    ...(externalId ? { externalId } : {}),
    ...(l.region ? { region: l.region } : {}),
    ...(l.roleSessionName ? { roleSessionName: l.roleSessionName } : {}),
    ...(l.durationSeconds ? { durationSeconds: l.durationSeconds } : {}),
  });
  const write: ProfileWrite = {
    paths: awsFilePaths(ctx.env, ctx.home),
    profile: l.profile,
    sourceProfile: l.sourceProfile,
    values: () => values,
    ...(keys ? { keys } : {}),
  };
  checkProfileConflicts(write, l.force);
  const files: string[] = [];
  const steps = profileWriteSteps(write, files);
  const actions = steps.map(actionOf);
  if (ctx.opts.dryRun) files.push(...actions.map((a) => `would ${a.description}`));
  else await applySteps(steps);
  ctx.out.result({ profile: l.profile, values, files, actions }, () => files.join("\n"));
}
