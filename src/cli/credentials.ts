import { userInfo } from "node:os";
import { cacheDirFor } from "../cache/location.js";
import { ensureCacheDir } from "../cache/store.js";
import { fileTotpState } from "../cache/totp-state.js";
import { type ResolvedProfile, type RoleStep, resolveProfile } from "../config/profiles.js";
import type { ChainDeps, ChainResult } from "../core/assume/chain.js";
import { type ChainPlan, DEFAULT_REFRESH_WINDOW, exportRegion, planChain } from "../core/assume/plan.js";
import { configError, RolectlError, usageError } from "../core/errors.js";
import {
  parseDuration,
  parseRoleArn,
  validateExternalId,
  validateMfaCode,
  validateMfaSerial,
  validateSessionName,
} from "../core/validate.js";
import { nonInteractiveReason } from "../io/interactive.js";
import { canPromptOnTty, promptOnTty } from "../io/tty-prompt.js";
import type { CliContext } from "./context.js";

/** Options shared by assume, exec and credential-process. */
export interface AssumeOptions {
  duration?: string;
  mfaCode?: string;
  mfaTotpSecretEnv?: string;
  cache?: boolean;
  refresh?: boolean;
  refreshWindow?: string;
  roleArn?: string;
  externalId?: string;
  mfaSerial?: string;
  sessionName?: string;
}

/** A bad value in a config file is a configuration error (exit 3) that names the file's profile. */
function checkFileValue<T>(check: () => T): T {
  try {
    return check();
  } catch (err) {
    if (err instanceof RolectlError && err.kind === "usage") {
      throw configError(err.code, err.message, { hint: "Fix the profile in the AWS config file." });
    }
    throw err;
  }
}

/** Works out which roles to assume, validating every value before any AWS call. */
export async function planFromOptions(ctx: CliContext, opts: AssumeOptions): Promise<ChainPlan> {
  const shared = await ctx.sharedConfig();
  const profileName = ctx.opts.profile ?? (ctx.env.AWS_PROFILE || undefined);
  const durationSeconds =
    opts.duration === undefined ? undefined : parseDuration(opts.duration, "--duration");
  if (opts.mfaCode !== undefined) {
    ctx.out.addSecret(opts.mfaCode);
    validateMfaCode(opts.mfaCode, "--mfa-code"); // even when no role in the chain needs MFA
  }

  let base: ResolvedProfile;
  let extraStep: RoleStep | undefined;
  if (opts.roleArn !== undefined) {
    const roleArn = parseRoleArn(opts.roleArn, "--role-arn").arn;
    extraStep = {
      profile: "",
      roleArn,
      ...(opts.externalId !== undefined
        ? { externalId: validateExternalId(opts.externalId, "--external-id") }
        : {}),
      ...(opts.mfaSerial !== undefined
        ? { mfaSerial: validateMfaSerial(opts.mfaSerial, "--mfa-serial") }
        : {}),
      ...(opts.sessionName !== undefined
        ? { sessionName: validateSessionName(opts.sessionName, "--session-name") }
        : {}),
    };
    // The ad-hoc role's source: the chosen profile, else environment keys, else [default].
    base =
      profileName === undefined && ctx.env.AWS_ACCESS_KEY_ID
        ? { name: "", base: { kind: "environment", profile: "(environment)" }, roles: [] }
        : resolveProfile(shared, profileName ?? "default");
  } else {
    for (const [flag, value] of [
      ["--external-id", opts.externalId],
      ["--mfa-serial", opts.mfaSerial],
      ["--session-name", opts.sessionName],
    ] as const) {
      if (value !== undefined) throw usageError("usage", `${flag} goes with --role-arn.`);
    }
    if (profileName === undefined) {
      throw usageError(
        "missing_input",
        "Missing required value --profile: the profile whose role to assume.",
        {
          hint: "Pass --profile NAME (or set AWS_PROFILE), or --role-arn ARN for a role without a profile.",
        },
      );
    }
    base = resolveProfile(shared, profileName);
  }
  for (const step of base.roles) {
    const where = `in profile ${step.profile}`;
    checkFileValue(() => parseRoleArn(step.roleArn, `role_arn ${where}`));
    if (step.mfaSerial)
      checkFileValue(() => validateMfaSerial(step.mfaSerial as string, `mfa_serial ${where}`));
    if (step.externalId)
      checkFileValue(() => validateExternalId(step.externalId as string, `external_id ${where}`));
    if (step.sessionName)
      checkFileValue(() => validateSessionName(step.sessionName as string, `role_session_name ${where}`));
  }
  const plan = planChain(base, ctx.env, {
    ...(durationSeconds !== undefined ? { durationSeconds } : {}),
    ...(extraStep ? { extraStep } : {}),
  });
  for (const step of plan.steps) {
    if (step.clampedFrom) {
      ctx.out.warn(
        `${step.roleArn} is assumed with another role's credentials (role chaining), which AWS caps at 3600 s; using 3600 instead of ${step.clampedFrom}.`,
      );
    }
  }
  return plan;
}

export function defaultSessionName(): string {
  let user = "user";
  try {
    user = userInfo().username;
  } catch {
    // no passwd entry (containers): keep "user"
  }
  const clean = user.replace(/[^\w+=,.@-]/g, "-").slice(0, 40) || "user";
  return `rolectl-${clean}-${Math.floor(Date.now() / 1000)}`;
}

export interface Obtained {
  plan: ChainPlan;
  result: ChainResult;
  region?: string;
}

/** Everything the chain walker needs, wired to this process (cache dir, STS, MFA sources). */
export async function buildChainDeps(
  ctx: CliContext,
  opts: AssumeOptions,
  extra: { totpSeed?: string } = {},
): Promise<ChainDeps> {
  const [{ createMfaProvider }, { createAssumeRole }, { runShellCommand }, { parseProcessCredentials }] =
    await Promise.all([
      import("../core/assume/mfa.js"),
      import("../aws/assume-role.js"),
      import("../io/subprocess.js"),
      import("../core/assume/process-credentials.js"),
    ]);
  const settings = await ctx.awsSettings();
  const cacheDir = opts.cache === false ? undefined : cacheDirFor(ctx.env, ctx.home);
  if (cacheDir) await ensureCacheDir(cacheDir);
  const totpDir = cacheDir ?? cacheDirFor(ctx.env, ctx.home);
  if (!cacheDir && (opts.mfaTotpSecretEnv || extra.totpSeed)) await ensureCacheDir(totpDir);
  // The MFA prompt uses /dev/tty, so stdin not being a terminal does not rule it out.
  const refusal = nonInteractiveReason({
    noInputFlag: ctx.opts.input === false,
    env: ctx.env,
    stdinIsTTY: true,
  });
  const canPrompt = refusal === undefined && canPromptOnTty();
  const refreshWindowSeconds = parseDuration(
    opts.refreshWindow ?? DEFAULT_REFRESH_WINDOW,
    "--refresh-window",
    0,
    43200,
  );
  if (opts.mfaTotpSecretEnv) ctx.out.addSecret(ctx.env[opts.mfaTotpSecretEnv]);
  ctx.out.addSecret(extra.totpSeed);

  return {
    env: ctx.env,
    ...(cacheDir ? { cacheDir } : {}),
    refreshWindowSeconds,
    forceRefresh: opts.refresh === true,
    now: Date.now,
    assumeRole: createAssumeRole(settings, ctx.opts.debug ? (line) => ctx.out.debug(line) : undefined),
    mfa: createMfaProvider({
      ...(opts.mfaCode !== undefined ? { flagCode: opts.mfaCode } : {}),
      env: ctx.env,
      ...(opts.mfaTotpSecretEnv ? { totpSecretEnv: opts.mfaTotpSecretEnv } : {}),
      ...(extra.totpSeed ? { totpSeed: extra.totpSeed } : {}),
      runProcess: (command) => runShellCommand(command),
      ...(canPrompt
        ? {
            prompt: (r) =>
              promptOnTty(`MFA code for ${r.serial}${r.profile ? ` (profile ${r.profile})` : ""}: `),
          }
        : {}),
      ...(canPrompt ? {} : { nonInteractiveReason: refusal ?? "no terminal to prompt on" }),
      totpState: fileTotpState(totpDir),
      now: Date.now,
      sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
      notice: (message) => ctx.out.info(message),
    }),
    processCredentials: async (command, profile) =>
      parseProcessCredentials(await runShellCommand(command), profile),
    defaultSessionName,
    onWait: (step) =>
      ctx.out.debug(`waiting for another rolectl that is getting credentials for ${step.roleArn}`),
  };
}

/** The credentials of the plan's last role, from the cache or STS. */
export async function obtainCredentials(
  ctx: CliContext,
  opts: AssumeOptions,
  plan: ChainPlan,
): Promise<Obtained> {
  const { resolveChainCredentials } = await import("../core/assume/chain.js");
  const result = await resolveChainCredentials(plan, await buildChainDeps(ctx, opts));
  ctx.out.addSecret(result.credentials.SecretAccessKey);
  ctx.out.addSecret(result.credentials.SessionToken);
  const region = exportRegion(plan, ctx.env, ctx.opts.region);
  return { plan, result, ...(region ? { region } : {}) };
}
