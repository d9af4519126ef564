import { randomBytes } from "node:crypto";
import { constants } from "node:fs";
import { access, stat } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { usageError } from "../../shared/errors.js";
import type { Prompter } from "../../shared/prompter.js";
import {
  parseDuration,
  parseMaxSessionDuration,
  validateExternalId,
  validateMfaCode,
  validatePolicyArn,
  validatePolicyName,
  validateProfileName,
  validateRegion,
  validateRoleName,
  validateSessionName,
  validateUserName,
} from "../../shared/validate.js";
import { flagOrAsk } from "../ask.js";

// What `cross-account` needs to know, from flags first and, on a terminal, a wizard that asks
// only for what the flags left out. Everything is validated here, before any AWS call.

export const ADMIN_POLICY = "arn:aws:iam::aws:policy/AdministratorAccess";

/** The prompter, and whether anyone is there to answer it. */
export interface Asker {
  prompter: Prompter;
  interactive: boolean;
}

export interface SetupOptions extends TrustingOptions, TrustedOptions, LocalOptions {
  trustingProfile?: string;
  trustedProfile?: string;
  verify: boolean;
  verifyMfaCode?: string;
}

export interface WriteProfileOptions extends LocalOptions {
  roleArn?: string;
  externalId?: string;
}

export interface TrustingOptions {
  roleName?: string;
  trustedAccount?: string;
  externalId?: string;
  generateExternalId?: boolean;
  requireMfa?: boolean;
  policyArn?: string[];
  amplifyCliPolicy?: boolean;
  admin?: boolean;
  maxSessionDuration?: string;
  force?: boolean;
}

export interface TrustedOptions {
  roleArn?: string;
  user?: string;
  assumePolicyName?: string;
  createAccessKey?: boolean;
  mfa?: boolean;
  mfaCodes?: string;
  mfaSeedOut?: string;
  accessKeyOut?: string;
  rotateAccessKey?: boolean;
}

export interface LocalOptions {
  localProfile?: string;
  sourceProfile?: string;
  mfaSerial?: string;
  roleSessionName?: string;
  durationSeconds?: string;
  accessKeyId?: string;
  force?: boolean;
}

/** Everything validated up front, before any AWS call or file write. */
export interface TrustingInput {
  roleName: string;
  externalId?: string;
  generated: boolean;
  requireMfa: boolean;
  policyArns: string[];
  amplifyCli: boolean;
  maxSessionDuration?: number;
}

export async function askTrustingInput(ask: Asker, o: TrustingOptions): Promise<TrustingInput> {
  const roleName = await flagOrAsk(
    ask.prompter,
    o.roleName,
    { message: "Role name in the trusting account:", flag: "--role-name", default: "BizCorpRole" },
    (v) => validateRoleName(v, "--role-name"),
  );
  if (o.externalId !== undefined && o.generateExternalId)
    throw usageError("usage", "Give --external-id or --generate-external-id, not both.");
  let externalId = o.externalId === undefined ? undefined : validateExternalId(o.externalId, "--external-id");
  let generated = o.generateExternalId === true;
  let requireMfa = o.requireMfa === true;
  const policyArns = (o.policyArn ?? []).map((a) => validatePolicyArn(a, "--managed-policy"));
  let amplifyCli = o.amplifyCliPolicy === true;
  if (o.admin) policyArns.push(ADMIN_POLICY);
  if (ask.interactive) {
    // The wizard: ask only what the flags left out.
    if (externalId === undefined && !generated) {
      const choice = await ask.prompter.select<"generate" | "enter" | "none">({
        message: "External id:",
        flag: "--external-id / --generate-external-id",
        choices: [
          { name: "Generate a random one", value: "generate" },
          { name: "Enter one (given to you by the other side)", value: "enter" },
          { name: "None", value: "none" },
        ],
      });
      if (choice === "generate") generated = true;
      if (choice === "enter")
        externalId = await flagOrAsk(
          ask.prompter,
          undefined,
          { message: "External id:", flag: "--external-id" },
          (v) => validateExternalId(v, "--external-id"),
        );
    }
    if (o.requireMfa === undefined)
      requireMfa = await ask.prompter.confirm({
        message: "Require MFA?",
        flag: "--require-mfa",
        default: true,
      });
    if (policyArns.length === 0 && !amplifyCli) {
      const choice = await ask.prompter.select<"amplify" | "admin" | "arn">({
        message: "Permissions for the role:",
        flag: "--managed-policy / --amplify-cli-policy / --admin",
        choices: [
          { name: "The Amplify CLI policy", value: "amplify" },
          { name: "AdministratorAccess", value: "admin" },
          { name: "A managed policy ARN", value: "arn" },
        ],
      });
      if (choice === "amplify") amplifyCli = true;
      if (choice === "admin") policyArns.push(ADMIN_POLICY);
      if (choice === "arn")
        policyArns.push(
          await flagOrAsk(
            ask.prompter,
            undefined,
            { message: "Policy ARN:", flag: "--managed-policy" },
            (v) => validatePolicyArn(v, "--managed-policy"),
          ),
        );
    }
  }
  if (generated) externalId = randomBytes(24).toString("base64url");
  const maxSessionDuration =
    o.maxSessionDuration === undefined
      ? undefined
      : parseMaxSessionDuration(o.maxSessionDuration, "--max-session-duration");
  return {
    roleName,
    ...(externalId ? { externalId } : {}),
    generated,
    requireMfa,
    policyArns,
    amplifyCli,
    ...(maxSessionDuration ? { maxSessionDuration } : {}),
  };
}

export interface TrustedInput {
  user: string;
  assumePolicyName?: string;
  createAccessKey: boolean;
  mfa: boolean;
  mfaCodes?: [string, string];
  mfaSeedOut?: string;
  /** A credentials-format file (0600) that receives the new access key the moment it exists. */
  accessKeyOut?: string;
  /** Replace the key the user's files hold: a new one first, the old deleted once the new works. */
  rotateAccessKey: boolean;
}

export async function askTrustedInput(ask: Asker, o: TrustedOptions): Promise<TrustedInput> {
  const user = await flagOrAsk(
    ask.prompter,
    o.user,
    { message: "IAM user in the trusted account:", flag: "--user", default: "devcorpuser" },
    (v) => validateUserName(v, "--user"),
  );
  let mfaCodes: [string, string] | undefined;
  if (o.mfaCodes !== undefined) {
    const parts = o.mfaCodes.split(",").map((c) => c.trim());
    if (parts.length !== 2)
      throw usageError("invalid_value", "Invalid MFA codes (--mfa-codes): must be two codes, C1,C2.");
    const [c1, c2] = parts.map((c) => validateMfaCode(c, "--mfa-codes")) as [string, string];
    if (c1 === c2)
      throw usageError(
        "invalid_value",
        "Invalid MFA codes (--mfa-codes): must be two different, consecutive codes.",
      );
    mfaCodes = [c1, c2];
  }
  let mfa = o.mfa === true || mfaCodes !== undefined || o.mfaSeedOut !== undefined;
  let createAccessKey =
    o.createAccessKey === true || o.accessKeyOut !== undefined || o.rotateAccessKey === true;
  if (ask.interactive) {
    if (o.mfa === undefined && !mfa)
      mfa = await ask.prompter.confirm({
        message: `Give ${user} a virtual MFA device?`,
        flag: "--mfa",
        default: true,
      });
    if (o.createAccessKey === undefined && o.accessKeyOut === undefined && o.rotateAccessKey === undefined)
      createAccessKey = await ask.prompter.confirm({
        message: `Create an access key for ${user}?`,
        flag: "--create-access-key",
        default: true,
      });
  }
  return {
    user,
    ...(o.assumePolicyName !== undefined
      ? { assumePolicyName: validatePolicyName(o.assumePolicyName, "--assume-policy-name") }
      : {}),
    createAccessKey,
    rotateAccessKey: o.rotateAccessKey === true,
    mfa,
    ...(mfaCodes ? { mfaCodes } : {}),
    ...(o.mfaSeedOut !== undefined ? { mfaSeedOut: await writableFile(o.mfaSeedOut, "--mfa-seed-out") } : {}),
    ...(o.accessKeyOut !== undefined
      ? { accessKeyOut: await writableFile(o.accessKeyOut, "--access-key-out") }
      : {}),
  };
}

/**
 * A file a secret will be written to (atomically: a temp file beside it, then a rename). Checked
 * now, because AWS hands out that secret once: finding out after CreateAccessKey is too late.
 */
async function writableFile(path: string, flag: string): Promise<string> {
  const fail = (rule: string): never => {
    throw usageError("invalid_value", `Cannot write ${path} (${flag}): ${rule}.`, {
      hint: "Name a file in an existing directory you can write to.",
    });
  };
  if (!path) fail("no file named");
  if ((await stat(path).catch(() => undefined))?.isDirectory()) fail("it is a directory");
  const dir = dirname(resolve(path));
  const dirStat = await stat(dir).catch(() => undefined);
  if (!dirStat?.isDirectory()) fail(`the directory ${dir} does not exist`);
  await access(dir, constants.W_OK).catch(() => fail(`the directory ${dir} is not writable`));
  return path;
}

export interface LocalInput {
  profile: string;
  sourceProfile: string;
  roleSessionName?: string;
  durationSeconds?: number;
  region?: string;
  force: boolean;
}

export function localInput(
  o: LocalOptions & { region?: string },
  roleName: string,
  user: string | undefined,
): LocalInput {
  const sourceProfile = validateProfileName(o.sourceProfile ?? user ?? "", "--source-profile");
  return {
    profile: validateProfileName(o.localProfile ?? roleName.toLowerCase(), "--local-profile"),
    sourceProfile,
    ...(o.roleSessionName !== undefined
      ? { roleSessionName: validateSessionName(o.roleSessionName, "--role-session-name") }
      : {}),
    ...(o.durationSeconds !== undefined
      ? { durationSeconds: parseDuration(o.durationSeconds, "--duration") }
      : {}),
    ...(o.region ? { region: validateRegion(o.region, "--region") } : {}),
    force: o.force === true,
  };
}
