import { userInfo } from "node:os";
import type { AwsSettings } from "../aws/settings.js";
import { fileCredentialCache } from "../cache/credential-cache.js";
import { cacheDirFor } from "../cache/location.js";
import { ensureCacheDir } from "../cache/store.js";
import { fileTotpState } from "../cache/totp-state.js";
import type { BaseSource } from "../config/profiles.js";
import type { ChainDeps, ChainResult } from "../core/assume/chain.js";
import { type ChainPlan, DEFAULT_REFRESH_WINDOW, exportRegion } from "../core/assume/plan.js";
import { planCredentialRequest } from "../core/assume/request.js";
import { FOREIGN_LOCK_MAX_AGE_MS } from "../fs/lock.js";
import { readRegularFile } from "../fs/private-file.js";
import { githubActionsToken } from "../io/github-actions-token.js";
import { nonInteractiveReason } from "../io/interactive.js";
import { canPromptOnTty, promptOnTty } from "../io/tty-prompt.js";
import { withoutRolectlSecrets } from "../shared/env.js";
import { authError, awsErrorName, isRolectlError } from "../shared/errors.js";
import { splitShellWords } from "../shared/shell-words.js";
import { parseDuration, validateMfaCode } from "../shared/validate.js";
import type { CliContext } from "./context.js";
import type { SignInOptions } from "./sso-session.js";

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
  webIdentityTokenFile?: string;
  githubActions?: boolean;
  audience?: string;
}

/** Works out which roles to assume (see planCredentialRequest) and shows its warnings. */
export async function planFromOptions(ctx: CliContext, opts: AssumeOptions): Promise<ChainPlan> {
  // `--mfa-code -`: the code from standard input, so that it is not in `ps` (as is
  // ROLECTL_MFA_CODE). Read once, here; later steps use opts.mfaCode.
  if (opts.mfaCode === "-") {
    // A code is 6 digits: a few bytes more are read, not an endless pipe (`yes | …`).
    const { readSync } = await import("node:fs");
    const buf = Buffer.alloc(64);
    let got = 0;
    for (let n = 1; n > 0 && got < buf.length; got += n) n = readSync(0, buf, got, buf.length - got, null);
    opts.mfaCode = buf.toString("utf8", 0, got).trim();
  }
  if (opts.mfaCode !== undefined) {
    ctx.out.addSecret(opts.mfaCode);
    validateMfaCode(opts.mfaCode, "--mfa-code"); // even when no role in the chain needs MFA
  }
  const { plan, warnings } = planCredentialRequest(await ctx.sharedConfig(), ctx.env, {
    ...opts,
    ...(ctx.opts.profile !== undefined ? { profile: ctx.opts.profile } : {}),
  });
  for (const warning of warnings) ctx.out.warn(warning);
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
  extra: { totpSeed?: string; settings?: AwsSettings } = {},
): Promise<ChainDeps> {
  // mfa_process and credential_process children get neither rolectl's secrets nor the TOTP seed.
  const childEnv = withoutRolectlSecrets(ctx.env, [opts.mfaTotpSecretEnv]);
  const debug = ctx.opts.debug ? (line: string) => ctx.out.debug(line) : undefined;
  const [
    { createMfaProvider },
    { createAssumeRole, createAssumeRoleWithWebIdentity },
    { runCommand },
    { parseProcessCredentials },
  ] = await Promise.all([
    import("../core/assume/mfa.js"),
    import("../aws/assume-role.js"),
    import("../io/subprocess.js"),
    import("../core/assume/process-credentials.js"),
  ]);
  // The region and endpoint of the profile being resolved (clientsFor's), else --profile's.
  const settings = extra.settings ?? (await ctx.awsSettings());
  let cacheDir = opts.cache === false ? undefined : cacheDirFor(ctx.env, ctx.home);
  let warned = false;
  const cacheUnwritable = (err: unknown) => {
    if (warned) return;
    warned = true;
    ctx.out.warn(
      `Cannot write the credential cache in ${cacheDirFor(ctx.env, ctx.home)} (${(err as NodeJS.ErrnoException).code}): these credentials are not cached. Set ROLECTL_CACHE_DIR to a writable directory, or pass --no-cache.`,
    );
  };
  if (cacheDir) {
    try {
      await ensureCacheDir(cacheDir);
    } catch (err) {
      // Unsafe (another owner, a symlink) stays a refusal; merely unwritable is an optimisation lost.
      if (isRolectlError(err)) throw err;
      cacheUnwritable(err);
      cacheDir = undefined;
    }
  }
  const totpDir = cacheDir ?? cacheDirFor(ctx.env, ctx.home);
  if (!cacheDir && (opts.mfaTotpSecretEnv || extra.totpSeed))
    await ensureCacheDir(totpDir).catch(cacheUnwritable);
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
    ...(cacheDir ? { cache: fileCredentialCache(cacheDir) } : {}),
    refreshWindowSeconds,
    forceRefresh: opts.refresh === true,
    now: Date.now,
    assumeRole: createAssumeRole(settings, debug),
    mfa: createMfaProvider({
      ...(opts.mfaCode !== undefined ? { flagCode: opts.mfaCode } : {}),
      env: ctx.env,
      ...(opts.mfaTotpSecretEnv ? { totpSecretEnv: opts.mfaTotpSecretEnv } : {}),
      ...(extra.totpSeed ? { totpSeed: extra.totpSeed } : {}),
      runProcess: (command) => runCommand({ shell: command }, childEnv),
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
      parseProcessCredentials(
        await runCommand(
          { argv: splitShellWords(command, `credential_process of profile ${profile}`) },
          childEnv,
        ),
        profile,
      ),
    ssoRoleCredentials: (base) =>
      ssoRoleCredentials(ctx, base, settings, {
        show: canPrompt ? "tty" : { refused: refusal ?? "no terminal to show a sign-in on" },
      }),
    webIdentityToken: (base) => webIdentityToken(ctx, base),
    assumeRoleWithWebIdentity: createAssumeRoleWithWebIdentity(settings, debug),
    defaultSessionName,
    onCacheUnwritable: cacheUnwritable,
    onWait: (step, holder) => {
      const who = holder ? `rolectl (pid ${holder.pid} on ${holder.host})` : "another rolectl";
      const line = `waiting for ${who}, which is getting credentials for ${step.roleArn}`;
      // One on another host (a container sharing HOME) cannot be checked for life: say so.
      if (holder && !holder.local)
        ctx.out.info(
          `${line} (a lock from another host is broken once untouched for ${FOREIGN_LOCK_MAX_AGE_MS / 1000} s)`,
        );
      else ctx.out.debug(line);
    },
    onRenewalFailed: (step, err, left) =>
      ctx.out.warn(
        `Could not renew the credentials of ${step.roleArn} (${(err as Error).message}); using the cached ones, valid for ${Math.floor(left / 60)} more min.`,
      ),
    onWaited: (step, ms) => ctx.out.debug(`lock wait: ${ms} ms for ${step.roleArn}`),
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

/** The portal's credentials for an IAM Identity Center profile: a token first (see core/sso). */
async function ssoRoleCredentials(
  ctx: CliContext,
  base: Extract<BaseSource, { kind: "sso" }>,
  settings: AwsSettings,
  signIn: SignInOptions,
) {
  const [{ ssoAccessToken, loginHint }, { createSsoPortalApi }, { ssoTokenDeps }] = await Promise.all([
    import("../core/sso/token.js"),
    import("../aws/sso.js"),
    import("./sso-session.js"),
  ]);
  const token = await ssoAccessToken(base.login, await ssoTokenDeps(ctx, base.login, settings, signIn));
  const debug = ctx.opts.debug ? (line: string) => ctx.out.debug(line) : undefined;
  try {
    const out = await createSsoPortalApi(settings, base.login.region, debug).roleCredentials(
      token,
      base.accountId,
      base.roleName,
    );
    ctx.out.addSecret(out.credentials.SecretAccessKey);
    ctx.out.addSecret(out.credentials.SessionToken);
    return out;
  } catch (err) {
    // A token the portal no longer takes (signed out elsewhere, revoked): sign in again.
    if (awsErrorName(err) === "Unauthorized")
      throw authError(
        "sso_login_required",
        `IAM Identity Center refused the token of profile ${base.profile} (signed out, or revoked).`,
        { hint: `Run \`${loginHint(base.login)}\`, then try again.` },
      );
    throw err;
  }
}

/** The web identity token, read afresh each time (Kubernetes and CI rotate the file). */
async function webIdentityToken(
  ctx: CliContext,
  base: Extract<BaseSource, { kind: "web-identity" }>,
): Promise<string> {
  const token =
    "file" in base.token
      ? readTokenFile(ctx, base.token.file, base.profile)
      : await githubActionsToken(ctx.env, base.token.githubActionsAudience, (secret) =>
          ctx.out.addSecret(secret),
        );
  ctx.out.addSecret(token);
  return token;
}

function readTokenFile(ctx: CliContext, path: string, profile: string): string {
  let token: string | undefined;
  try {
    token = readRegularFile(path, 64 * 1024)?.trim();
  } catch (err) {
    ctx.out.debug(`web identity token ${path}: ${(err as Error).message}`);
  }
  if (!token)
    throw authError(
      "web_identity_token",
      `The web identity token file ${path}${profile ? ` (profile ${profile})` : ""} is missing, empty or unreadable.`,
      { hint: "Check web_identity_token_file / AWS_WEB_IDENTITY_TOKEN_FILE and that the token was written." },
    );
  return token;
}
