import type { SharedConfig } from "../../config/files.js";
import {
  type ResolvedProfile,
  type RoleStep,
  resolveProfile,
  type WebIdentityToken,
} from "../../config/profiles.js";
import { type Env, profileFromEnv } from "../../shared/env.js";
import { configError, RolectlError, usageError } from "../../shared/errors.js";
import {
  parseDuration,
  parseRoleArn,
  validateExternalId,
  validateMfaSerial,
  validateSessionName,
} from "../../shared/validate.js";
import { type ChainPlan, planChain } from "./plan.js";

// The one place a credential request becomes a plan: which profile, which roles, which
// durations (with the role-chaining warning), every file and flag value checked. The cache-hit
// path (fast.ts) and the full CLI both call it, so they agree on what to print and when.

/** What assume, exec and credential-process were asked for (flag values as typed). */
export interface CredentialRequest {
  /** --profile; AWS_PROFILE applies when absent. */
  profile?: string;
  duration?: string;
  roleArn?: string;
  externalId?: string;
  mfaSerial?: string;
  sessionName?: string;
  /** --web-identity-token-file: the role (--role-arn) is assumed with the token in this file. */
  webIdentityTokenFile?: string;
  /** --github-actions: … with the job's OIDC token, for --audience (default sts.amazonaws.com). */
  githubActions?: boolean;
  audience?: string;
}

export interface PlannedRequest {
  plan: ChainPlan;
  /** Shown before the credentials, on a cache hit as on a miss. */
  warnings: string[];
}

/** A bad value in a config file is a configuration error (exit 3) that names the file's profile. */
function checkFileValue<T>(check: () => T): T {
  try {
    return check();
  } catch (err) {
    if (err instanceof RolectlError && err.kind === "usage") {
      throw configError("config_invalid", err.message, { hint: "Fix the profile in the AWS config file." });
    }
    throw err;
  }
}

/** botocore's environment form, which environment keys come before. */
const envWebIdentity = (env: Env) =>
  Boolean(env.AWS_ROLE_ARN && env.AWS_WEB_IDENTITY_TOKEN_FILE && !env.AWS_ACCESS_KEY_ID);

function envWebIdentityProfile(env: Env): ResolvedProfile {
  return {
    name: "",
    base: { kind: "web-identity", profile: "", token: { file: env.AWS_WEB_IDENTITY_TOKEN_FILE as string } },
    roles: [
      {
        profile: "",
        roleArn: parseRoleArn(env.AWS_ROLE_ARN as string, "AWS_ROLE_ARN").arn,
        ...(env.AWS_ROLE_SESSION_NAME
          ? { sessionName: validateSessionName(env.AWS_ROLE_SESSION_NAME, "AWS_ROLE_SESSION_NAME") }
          : {}),
      },
    ],
  };
}

/** The token source the flags name, checked against the flags it cannot go with. */
function webIdentityRequest(req: CredentialRequest): WebIdentityToken | undefined {
  const flag =
    req.webIdentityTokenFile !== undefined
      ? "--web-identity-token-file"
      : req.githubActions
        ? "--github-actions"
        : undefined;
  if (req.audience !== undefined && !req.githubActions)
    throw usageError("usage", "--audience goes with --github-actions.");
  if (!flag) return undefined;
  if (req.webIdentityTokenFile !== undefined && req.githubActions)
    throw usageError(
      "usage",
      "--web-identity-token-file and --github-actions are two token sources; give one.",
    );
  if (req.roleArn === undefined)
    throw usageError("missing_input", `${flag} needs --role-arn: the role to assume with the token.`);
  if (req.profile !== undefined)
    throw usageError("usage", `${flag} and --profile are two credential sources; give one.`);
  for (const [other, value] of [
    ["--external-id", req.externalId],
    ["--mfa-serial", req.mfaSerial],
  ] as const)
    if (value !== undefined)
      throw usageError(
        "usage",
        `${other} does not go with ${flag} (AssumeRoleWithWebIdentity takes neither).`,
      );
  if (req.webIdentityTokenFile !== undefined) {
    if (!req.webIdentityTokenFile)
      throw usageError("invalid_value", "--web-identity-token-file needs a file.");
    return { file: req.webIdentityTokenFile };
  }
  const audience = req.audience ?? "sts.amazonaws.com";
  if (!/^[\x21-\x7e]{1,256}$/.test(audience))
    throw usageError(
      "invalid_value",
      `Invalid --audience ${JSON.stringify(audience)}: 1-256 printable characters, no spaces.`,
    );
  return { githubActionsAudience: audience };
}

function adHocStep(req: CredentialRequest, roleArn: string): RoleStep {
  return {
    profile: "",
    roleArn: parseRoleArn(roleArn, "--role-arn").arn,
    ...(req.externalId !== undefined
      ? { externalId: validateExternalId(req.externalId, "--external-id") }
      : {}),
    ...(req.mfaSerial !== undefined ? { mfaSerial: validateMfaSerial(req.mfaSerial, "--mfa-serial") } : {}),
    ...(req.sessionName !== undefined
      ? { sessionName: validateSessionName(req.sessionName, "--session-name") }
      : {}),
  };
}

/** Works out which roles to assume, validating every value before any AWS call. */
export function planCredentialRequest(
  shared: SharedConfig,
  env: Env,
  req: CredentialRequest,
): PlannedRequest {
  const profileName = req.profile ?? profileFromEnv(env);
  const durationSeconds = req.duration === undefined ? undefined : parseDuration(req.duration, "--duration");
  let base: ResolvedProfile;
  let extraStep: RoleStep | undefined;
  const webIdentity = webIdentityRequest(req);
  if (webIdentity) {
    extraStep = adHocStep(req, req.roleArn as string);
    base = { name: "", base: { kind: "web-identity", profile: "", token: webIdentity }, roles: [] };
  } else if (req.roleArn === undefined && profileName === undefined && envWebIdentity(env)) {
    // botocore's environment form: AWS_ROLE_ARN with AWS_WEB_IDENTITY_TOKEN_FILE.
    base = envWebIdentityProfile(env);
  } else if (req.roleArn !== undefined) {
    extraStep = adHocStep(req, req.roleArn);
    // The ad-hoc role's source: the chosen profile, else environment keys, else the
    // environment's web identity (an EKS pod), else [default].
    base =
      profileName === undefined && env.AWS_ACCESS_KEY_ID
        ? { name: "", base: { kind: "environment", profile: "(environment)" }, roles: [] }
        : profileName === undefined && envWebIdentity(env)
          ? envWebIdentityProfile(env)
          : resolveProfile(shared, profileName ?? "default");
  } else {
    for (const [flag, value] of [
      ["--external-id", req.externalId],
      ["--mfa-serial", req.mfaSerial],
      ["--session-name", req.sessionName],
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
  const plan = planChain(base, env, {
    ...(durationSeconds !== undefined ? { durationSeconds } : {}),
    ...(extraStep ? { extraStep } : {}),
  });
  const warnings = plan.steps
    .filter((step) => step.clampedFrom !== undefined)
    .map(
      (step) =>
        `${step.roleArn} is assumed with another role's credentials (role chaining), which AWS caps at 3600 s; using 3600 instead of ${step.clampedFrom}.`,
    );
  return { plan, warnings };
}
