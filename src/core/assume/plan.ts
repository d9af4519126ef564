import { type CacheKey, cacheKey } from "../../cache/store.js";
import type { BaseSource, ResolvedProfile, RoleStep } from "../../config/profiles.js";
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
}

export function sourceIdentity(base: BaseSource, env: Env): string {
  switch (base.kind) {
    case "static":
      return `static:${base.accessKeyId}`;
    case "environment":
      return `env:${env.AWS_ACCESS_KEY_ID ?? ""}`;
    case "process":
      return `process:${base.command}`;
  }
}

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
  let identity = sourceIdentity(resolved.base, env);
  const steps: PlannedStep[] = roles.map((role, i) => {
    const last = i === roles.length - 1;
    const wanted =
      (last ? overrides.durationSeconds : undefined) ?? role.durationSeconds ?? DEFAULT_DURATION_SECONDS;
    const chained = i > 0;
    const durationSeconds = chained ? Math.min(wanted, ROLE_CHAINING_MAX_SECONDS) : wanted;
    const key = cacheKey({
      roleArn: role.roleArn,
      sessionName: role.sessionName ?? "",
      externalId: role.externalId ?? "",
      mfaSerial: role.mfaSerial ?? "",
      durationSeconds,
      sourceIdentity: identity,
    });
    identity = `role:${key.id}`;
    return {
      ...role,
      cacheKey: key,
      durationSeconds,
      chained,
      ...(durationSeconds !== wanted ? { clampedFrom: wanted } : {}),
    };
  });
  return {
    ...(resolved.name ? { profile: resolved.name } : {}),
    base: resolved.base,
    steps,
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
