import { type CacheKey, cacheKey } from "../../cache/store.js";
import {
  type BaseSource,
  environmentCredentials,
  type ResolvedProfile,
  type RoleStep,
} from "../../config/profiles.js";
import type { SourceCredentials } from "../../shared/credentials.js";
import { secretDigest } from "../../shared/digest.js";
import type { Env } from "../../shared/env.js";
import { resolveRegion } from "../../shared/validate.js";

// Pure planning of a credential chain: which roles to assume, with which durations and cache
// keys. Loads nothing heavy, so the cache-hit path can use it before any AWS code is loaded.

export const DEFAULT_DURATION_SECONDS = 3600;
/** Cached credentials with less than this left are renewed (--refresh-window). */
export const DEFAULT_REFRESH_WINDOW_SECONDS = 900;
export const DEFAULT_REFRESH_WINDOW = `${DEFAULT_REFRESH_WINDOW_SECONDS / 60}m`;
/** AWS caps sessions of a role assumed with another role's credentials at one hour. */
export const ROLE_CHAINING_MAX_SECONDS = 3600;

export interface PlannedStep extends RoleStep {
  /** Which cache entry holds this role's credentials. */
  cacheKey: CacheKey;
  durationSeconds: number;
  /** The source credentials are themselves an assumed role's. */
  chained: boolean;
  /** Set when the duration was clamped to the role-chaining limit. */
  clampedFrom?: number;
}

export interface ChainPlan {
  profile?: string;
  base: BaseSource;
  steps: PlannedStep[];
  region?: string;
  /** A credential_process source has run and the keys are made from what it returned. */
  sourceRan?: true;
}

/**
 * Who the source credentials are, for cache keys: the key id and a digest of the whole of them,
 * so that a replaced secret or token (or keys that are simply wrong) never gets a cached role
 * made from other ones. A credential_process is known only once it has run: until then its
 * key is a placeholder that is never looked up (see keyedBySource).
 */
export function sourceIdentity(base: BaseSource, env: Env): string {
  switch (base.kind) {
    case "static":
      return credentialIdentity("static", base);
    case "environment":
      // The credentials the chain will use (AWS_SECURITY_TOKEN too), or none.
      return credentialIdentity(
        "env",
        environmentCredentials(env) ?? { accessKeyId: env.AWS_ACCESS_KEY_ID ?? "", secretAccessKey: "" },
      );
    case "process":
      return `${UNRESOLVED_PROCESS}${base.command}`;
    // The first step's credentials come from the sign-in (or the token file), not from keys.
    case "sso":
      return `sso:${JSON.stringify([base.login.session ?? "", base.login.startUrl])}`;
    case "web-identity":
      // A GitHub job's token URL is the job's own: no other job's role credentials are served.
      return "file" in base.token
        ? `web-identity:${base.token.file}`
        : `github-actions:${JSON.stringify([env.ACTIONS_ID_TOKEN_REQUEST_URL ?? "", base.token.githubActionsAudience])}`;
  }
}

const UNRESOLVED_PROCESS = "process-not-run:";

export const credentialIdentity = (kind: string, c: SourceCredentials): string =>
  `${kind}:${c.accessKeyId}:${secretDigest(c.secretAccessKey, c.sessionToken ?? "")}`;

/**
 * Whether the plan's cache keys are final: a credential_process source must have run, and a
 * web identity token file been read (whose token it is decides whose credentials they are).
 */
export const keyedBySource = (plan: ChainPlan): boolean =>
  plan.sourceRan === true ||
  (plan.base.kind !== "process" && !(plan.base.kind === "web-identity" && "file" in plan.base.token));

/** The plan keyed by the web identity token its file held: issuer, subject and audience. */
export const withWebIdentityToken = (plan: ChainPlan, token: string): ChainPlan => ({
  ...plan,
  sourceRan: true,
  steps: keyed(plan.steps, `${sourceIdentity(plan.base, {})}:${secretDigest(...tokenClaims(token))}`),
});

/** A JWT's iss, sub and aud (not verified: STS does that); the whole token when it is not one. */
function tokenClaims(token: string): string[] {
  try {
    const payload = JSON.parse(
      Buffer.from(token.split(".")[1] ?? "", "base64url").toString("utf8"),
    ) as Record<string, unknown>;
    return [JSON.stringify([payload.iss, payload.sub, payload.aud])];
  } catch {
    return [token];
  }
}

/** Each step's key, from the source's identity outward: a parent's whole key is in its child's. */
function keyed<S extends RoleStep & { durationSeconds: number }>(
  steps: S[],
  identity: string,
): (S & { cacheKey: CacheKey })[] {
  return steps.map((step) => {
    const key = cacheKey({
      roleArn: step.roleArn,
      sessionName: step.sessionName ?? "",
      externalId: step.externalId ?? "",
      mfaSerial: step.mfaSerial ?? "",
      durationSeconds: step.durationSeconds,
      sourceIdentity: identity,
    });
    // A SHA-256 of the parent's whole key, not its 160-bit file name: no collision can join two
    // chains, and the key does not grow with each hop.
    identity = `role:${secretDigest(key.material)}`;
    return { ...step, cacheKey: key };
  });
}

/** The plan keyed by the credentials its credential_process returned. */
export const withSourceCredentials = (plan: ChainPlan, source: SourceCredentials): ChainPlan => ({
  ...plan,
  sourceRan: true,
  steps: keyed(plan.steps, credentialIdentity("process", source)),
});

export interface PlanOverrides {
  /** --duration: applies to the last (the profile's own) role. */
  durationSeconds?: number;
  /** An ad-hoc role (--role-arn …) assumed after the profile's chain. */
  extraStep?: RoleStep;
}

export function planChain(
  resolved: Pick<ResolvedProfile, "base" | "roles" | "region"> & { name?: string },
  env: Env,
  overrides: PlanOverrides = {},
): ChainPlan {
  const roles = overrides.extraStep ? [...resolved.roles, overrides.extraStep] : resolved.roles;
  const steps = roles.map((role, i) => {
    const last = i === roles.length - 1;
    const wanted =
      (last ? overrides.durationSeconds : undefined) ?? role.durationSeconds ?? DEFAULT_DURATION_SECONDS;
    const chained = i > 0;
    const durationSeconds = chained ? Math.min(wanted, ROLE_CHAINING_MAX_SECONDS) : wanted;
    return {
      ...role,
      durationSeconds,
      chained,
      ...(durationSeconds !== wanted ? { clampedFrom: wanted } : {}),
    };
  });
  return {
    ...(resolved.name ? { profile: resolved.name } : {}),
    base: resolved.base,
    steps: keyed(steps, sourceIdentity(resolved.base, env)),
    ...(resolved.region ? { region: resolved.region } : {}),
  };
}

/** The region to hand out with credentials: flag, AWS_REGION, AWS_DEFAULT_REGION, the profile's. */
export function exportRegion(
  plan: Pick<ChainPlan, "region">,
  env: Env,
  flagRegion?: string,
): string | undefined {
  // It is printed into shell code (export AWS_REGION=…): only a region's shape.
  return resolveRegion({
    flag: flagRegion,
    env,
    profileRegion: plan.region,
    profileLabel: "the profile's region",
  });
}
