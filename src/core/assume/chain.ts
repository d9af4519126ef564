import type { CredentialCache } from "../../cache/credential-cache.js";
import { type CacheEntry, isFresh, secondsLeft } from "../../cache/store.js";
import { type BaseSource, environmentCredentials } from "../../config/profiles.js";
import type { Lock, LockHolder } from "../../fs/lock.js";
import type {
  AssumeRoleOutput,
  AssumeRoleParams,
  SessionCredentials,
  SourceCredentials,
} from "../../shared/credentials.js";
import type { Env } from "../../shared/env.js";
import {
  awsErrorName,
  configError,
  internalError,
  isRolectlError,
  RolectlError,
} from "../../shared/errors.js";
import type { MfaProvider } from "./mfa.js";
import {
  type ChainPlan,
  keyedBySource,
  type PlannedStep,
  withSourceCredentials,
  withWebIdentityToken,
} from "./plan.js";

// Walks a planned chain to credentials: the cache first, then (under the cache's per-key lock,
// so that concurrent processes share one AssumeRole and one MFA prompt) the source credentials
// and an AssumeRole. The cache, the clock and the AWS call are injected.

export interface ChainDeps {
  env: Env;
  /** undefined: no cache (--no-cache). */
  cache?: CredentialCache;
  refreshWindowSeconds: number;
  /** Ignore a valid cached entry for the last role (--refresh). */
  forceRefresh: boolean;
  now(): number;
  assumeRole(source: SourceCredentials, params: AssumeRoleParams): Promise<AssumeRoleOutput>;
  mfa: MfaProvider;
  /** Runs a credential_process command and returns its parsed Version 1 output. */
  processCredentials(command: string, profile: string): Promise<SourceCredentials>;
  /** IAM Identity Center: the portal's credentials for the base's account and role. */
  ssoRoleCredentials(base: SsoBase): Promise<AssumeRoleOutput>;
  /** The web identity token, read (or fetched) now: files and CI tokens rotate. */
  webIdentityToken(base: WebIdentityBase): Promise<string>;
  /** AssumeRoleWithWebIdentity (unsigned) with that token. */
  assumeRoleWithWebIdentity(token: string, params: AssumeRoleParams): Promise<AssumeRoleOutput>;
  defaultSessionName(): string;
  /** Called when another process holds the lock for these credentials. */
  onWait?(step: PlannedStep, holder: LockHolder | undefined): void;
  /** How long the lock took, when another process held it (for --debug and the bench). */
  onWaited?(step: PlannedStep, ms: number): void;
  /**
   * The cache could not be written (disk full, read-only): the credentials are handed out all
   * the same. An unsafe cache (another owner, a symlink) is still an error, never this.
   */
  onCacheUnwritable?(err: unknown): void;
  /** Renewing failed and the cached credentials, still valid for `secondsLeft`, are used. */
  onRenewalFailed?(step: PlannedStep, err: unknown, secondsLeft: number): void;
}

type SsoBase = Extract<BaseSource, { kind: "sso" }>;
type WebIdentityBase = Extract<BaseSource, { kind: "web-identity" }>;

const isUnsafe = (err: unknown) => isRolectlError(err) && err.code === "cache_unsafe";

export interface ChainResult {
  credentials: SessionCredentials;
  assumedRoleArn?: string;
  fromCache: boolean;
}

const toSource = (c: SessionCredentials): SourceCredentials => ({
  accessKeyId: c.AccessKeyId,
  secretAccessKey: c.SecretAccessKey,
  sessionToken: c.SessionToken,
});

export async function resolveChainCredentials(plan: ChainPlan, deps: ChainDeps): Promise<ChainResult> {
  if (plan.steps.length === 0) {
    throw configError(
      "no_role",
      `Profile ${plan.profile ?? "?"} has no role_arn: there is no role to assume.`,
      {
        hint: "Use a profile with role_arn, or pass --role-arn ARN.",
      },
    );
  }
  if (keyedBySource(plan)) return stepCredentials(plan, plan.steps.length - 1, deps);
  const last = plan.steps.length - 1;
  // A token file is read first: the cache entry to use depends on whose token it is.
  if (plan.base.kind === "web-identity") {
    const token = await deps.webIdentityToken(plan.base);
    return stepCredentials(withWebIdentityToken(plan, token), last, {
      ...deps,
      webIdentityToken: async () => token,
    });
  }
  // A credential_process source runs first: the cache entry to use depends on who it returns.
  const source = await baseCredentials(plan, deps);
  return stepCredentials(withSourceCredentials(plan, source), last, {
    ...deps,
    processCredentials: async () => source,
  });
}

/** The source credentials of a plan whose first step is an AssumeRole (static, environment, process). */
export async function baseCredentials(plan: ChainPlan, deps: ChainDeps): Promise<SourceCredentials> {
  const base = plan.base;
  switch (base.kind) {
    case "static":
      return {
        accessKeyId: base.accessKeyId,
        secretAccessKey: base.secretAccessKey,
        ...(base.sessionToken ? { sessionToken: base.sessionToken } : {}),
      };
    case "environment": {
      const creds = environmentCredentials(deps.env);
      if (!creds) {
        throw configError(
          "no_credentials",
          `Profile ${base.profile} uses credential_source = Environment, but AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY are not set.`,
        );
      }
      return creds;
    }
    case "sso":
    case "web-identity":
      throw new Error(`a ${base.kind} source has no keys of its own`); // its first step is not AssumeRole
    case "process":
      try {
        return await deps.processCredentials(base.command, base.profile);
      } catch (err) {
        if (isRolectlError(err)) throw err;
        throw configError(
          "credential_process_failed",
          `credential_process of profile ${base.profile} failed: ${(err as Error).message}`,
          { hint: "Run the command by hand to see why; it must print Version 1 credentials JSON." },
        );
      }
  }
}

/** The plan's last role from the cache, when a fresh entry is there: the cache-hit answer. */
export function cachedCredentials(
  plan: ChainPlan,
  cache: CredentialCache,
  now: number,
  refreshWindowSeconds: number,
): ChainResult | undefined {
  const last = plan.steps.at(-1);
  return last && keyedBySource(plan) ? freshEntry(cache, last, now, refreshWindowSeconds) : undefined;
}

function freshEntry(
  cache: CredentialCache,
  step: PlannedStep,
  now: number,
  refreshWindowSeconds: number,
): ChainResult | undefined {
  const entry = cache.lookup(step.cacheKey);
  return entry && isFresh(entry, now, refreshWindowSeconds) ? fromEntry(entry) : undefined;
}

async function stepCredentials(plan: ChainPlan, index: number, deps: ChainDeps): Promise<ChainResult> {
  const step = plan.steps[index] as PlannedStep;
  const force = deps.forceRefresh && index === plan.steps.length - 1;
  const cache = deps.cache;
  if (!cache) return assumeStep(plan, index, deps);
  const hit = force ? undefined : freshEntry(cache, step, deps.now(), deps.refreshWindowSeconds);
  if (hit) return hit;

  let waited = false;
  let lock: Lock;
  const asked = deps.now();
  try {
    lock = await cache.lock(step.cacheKey, (holder) => {
      waited = true;
      deps.onWait?.(step, holder);
    });
    if (waited) deps.onWaited?.(step, deps.now() - asked);
  } catch (err) {
    if (isUnsafe(err) || !isFileSystemError(err)) throw err;
    deps.onCacheUnwritable?.(err);
    return assumeStep(plan, index, deps);
  }
  try {
    // Whoever held the lock has probably just written fresh credentials; a --refresh that
    // waited for another refresh takes those too.
    const now = !force || waited ? freshEntry(cache, step, deps.now(), deps.refreshWindowSeconds) : undefined;
    if (now) return now;
    let result: ChainResult;
    try {
      result = await assumeStep(plan, index, deps);
    } catch (err) {
      // As botocore does: a failed renewal of credentials that are still good for a while
      // hands out those, with a warning. Not when the renewal was asked for (--refresh).
      const cached = force ? undefined : cache.lookup(step.cacheKey);
      if (!cached || !isFresh(cached, deps.now(), MANDATORY_REFRESH_SECONDS) || !isFallbackError(err))
        throw err;
      deps.onRenewalFailed?.(step, err, secondsLeft(cached, deps.now()));
      return fromEntry(cached);
    }
    const entry: CacheEntry = {
      version: 1,
      ...(step.profile ? { profile: step.profile } : {}),
      roleArn: step.roleArn,
      sessionName: step.sessionName ?? "",
      ...(result.assumedRoleArn ? { assumedRoleArn: result.assumedRoleArn } : {}),
      createdAt: new Date(deps.now()).toISOString(),
      credentials: result.credentials,
    };
    // The cache is an optimisation: failing to write it must not throw the credentials away.
    await cache.store(step.cacheKey, entry).catch((err: unknown) => {
      if (isUnsafe(err) || !isFileSystemError(err)) throw err;
      deps.onCacheUnwritable?.(err);
    });
    return result;
  } finally {
    await lock.release();
  }
}

function fromEntry(entry: CacheEntry): ChainResult {
  return {
    credentials: entry.credentials,
    ...(entry.assumedRoleArn ? { assumedRoleArn: entry.assumedRoleArn } : {}),
    fromCache: true,
  };
}

/** Under this much validity left, credentials are renewed or nothing (botocore's mandatory window). */
const MANDATORY_REFRESH_SECONDS = 600;

/** A renewal that failed for a reason other than how rolectl was called. */
const isFallbackError = (err: unknown) => !(isRolectlError(err) && err.kind === "usage");

/**
 * STS issues what was asked for; an Expiration later than that (a broken or hostile endpoint
 * answering 2099) would be cached and served for ever. Counted from before the call.
 */
function capExpiration(out: AssumeRoleOutput, askedAt: number, durationSeconds: number): AssumeRoleOutput {
  const limit = askedAt + durationSeconds * 1000;
  const expiration = Date.parse(out.credentials.Expiration);
  if (Number.isNaN(expiration))
    throw internalError("aws_error", "sts:AssumeRole returned an Expiration that is not a time.");
  return expiration <= limit
    ? out
    : { ...out, credentials: { ...out.credentials, Expiration: new Date(limit).toISOString() } };
}

async function assumeStep(plan: ChainPlan, index: number, deps: ChainDeps): Promise<ChainResult> {
  const step = plan.steps[index] as PlannedStep;
  const base = plan.base;
  if (index === 0 && (base.kind === "sso" || base.kind === "web-identity")) {
    const askedAt = deps.now();
    const out =
      base.kind === "sso"
        ? await deps.ssoRoleCredentials(base)
        : await deps
            .assumeRoleWithWebIdentity(await deps.webIdentityToken(base), {
              roleArn: step.roleArn,
              sessionName: step.sessionName ?? deps.defaultSessionName(),
              durationSeconds: step.durationSeconds,
            })
            .catch((err: unknown) => {
              throw explainAssumeError(err, plan, index);
            });
    return { ...capExpiration(out, askedAt, step.durationSeconds), fromCache: false };
  }
  const source =
    index === 0
      ? await baseCredentials(plan, deps)
      : toSource((await stepCredentials(plan, index - 1, deps)).credentials);
  const tokenCode = step.mfaSerial
    ? await deps.mfa({
        serial: step.mfaSerial,
        ...(step.profile ? { profile: step.profile } : {}),
        ...(step.mfaProcess ? { mfaProcess: step.mfaProcess } : {}),
      })
    : undefined;
  try {
    const askedAt = deps.now();
    const out = await deps.assumeRole(source, {
      roleArn: step.roleArn,
      sessionName: step.sessionName ?? deps.defaultSessionName(),
      durationSeconds: step.durationSeconds,
      ...(step.externalId ? { externalId: step.externalId } : {}),
      ...(step.mfaSerial ? { serialNumber: step.mfaSerial, tokenCode } : {}),
    });
    return { ...capExpiration(out, askedAt, step.durationSeconds), fromCache: false };
  } catch (err) {
    throw explainAssumeError(err, plan, index);
  }
}

function sourceName(plan: ChainPlan, index: number): string {
  if (index > 0) return `the role of profile ${plan.steps[index - 1]?.profile ?? "?"}`;
  const base = plan.base;
  if (base.kind === "web-identity")
    return "file" in base.token
      ? `the web identity token in ${base.token.file}`
      : "the GitHub Actions OIDC token";
  return base.kind === "environment" ? "the environment's AWS_* keys" : `source profile ${base.profile}`;
}

function explainAssumeError(err: unknown, plan: ChainPlan, index: number): unknown {
  const name = awsErrorName(err);
  const step = plan.steps[index] as PlannedStep;
  const message = err instanceof Error ? err.message : String(err);
  if (name === "ExpiredToken" || name === "InvalidClientTokenId" || name === "SignatureDoesNotMatch") {
    return new RolectlError(name === "ExpiredToken" ? "expired_token" : "invalid_credentials", message, {
      cause: err,
      hint:
        name === "ExpiredToken"
          ? index === 0 && plan.base.kind === "web-identity"
            ? `${sourceName(plan, index).replace(/^t/, "T")} has expired; get a new token and run again.`
            : `The credentials of ${sourceName(plan, index)} have expired; refresh them and run again.`
          : `The credentials of ${sourceName(plan, index)} are not valid; check them.`,
    });
  }
  if (
    name === "AccessDenied" &&
    step.mfaSerial &&
    /MultiFactorAuthentication|one time pass code|MFA/i.test(message)
  ) {
    return new RolectlError("mfa_rejected", message, {
      cause: err,
      hint: "The MFA code was wrong, expired or already used (AWS refuses a code twice); wait for the next code and try again.",
    });
  }
  return err;
}

/** An error from the file system (EACCES, ENOSPC, EROFS, ENOTDIR…), not from AWS or our checks. */
function isFileSystemError(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === "string" && /^E[A-Z]+$/.test(code);
}
