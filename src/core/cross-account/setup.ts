import type { IAMClient } from "@aws-sdk/client-iam";
import type { STSClient } from "@aws-sdk/client-sts";
import type { Ledger } from "../../cache/ledger.js";
import { type AwsFilePaths, readIniFile } from "../../config/files.js";
import { partitionOf, roleArnOf } from "../../shared/arn.js";
import { rolePlanSteps } from "../roles/apply.js";
import { planRoleProvision, type RoleProvision } from "../roles/provision.js";
import { readRole } from "../roles/role-state.js";
import { type Action, actionOf, applySteps, type Step } from "../steps.js";
import { type CallerIdentity, getCallerIdentity } from "../whoami.js";
import type { LocalInput, TrustedInput, TrustingInput } from "./inputs.js";
import {
  checkProfileConflicts,
  existingConfigProfile,
  type ProfileWrite,
  profileWriteSteps,
  roleProfileValues,
} from "./local-profile.js";
import { secretPlaces } from "./secret-places.js";
import {
  type EnableCodes,
  type NewKey,
  planTrustedSide,
  type TrustedResult,
  type TrustedSecrets,
  type TrustedSidePlan,
  trustedResult,
  trustedSecrets,
} from "./trusted-side.js";
import { desiredTrustingRole, externalIdIn } from "./trusting-side.js";

// `cross-account setup`: seed 001's three parts as one plan. Everything is read first (both
// callers, the role, the trusted account's user, keys and devices, the local files) and every
// refusal that reads can answer (a role that trusts something else, IAM's two-key limit, a
// conflicting local profile) happens before the first write.

export interface AccountClients {
  iam: Pick<IAMClient, "send">;
  sts: Pick<STSClient, "send">;
}

export interface SetupRequest {
  trusting: TrustingInput;
  trusted: TrustedInput;
  local: LocalInput;
  paths: AwsFilePaths;
  /** The region the profile names: --region, else the trusted admin profile's. */
  region: string;
  enableCodes: EnableCodes;
  /** Replace a role that trusts something else (the local --force is in `local`). */
  force: boolean;
  /** rolectl's record of what it minted for a user (see cache/ledger). */
  ledgerFor: (account: string, user: string) => Ledger;
  /** A person sees the new device's seed (QR code on a terminal). */
  personHoldsSeed: boolean;
  /** Proves a new key of the trusted account's user works (--rotate-access-key). */
  proveKey?: (key: NewKey) => Promise<void>;
}

export interface SetupPlan {
  trustingCaller: CallerIdentity;
  trustedCaller: CallerIdentity;
  roleArn: string;
  role: RoleProvision;
  trusted: TrustedSidePlan;
  profile: ProfileWrite;
  /** Filled by the file steps as they run. */
  files: string[];
  /** Role, trusted side, files: in order. */
  steps: Step[];
  fileSteps: Step[];
  /** Every change, where it happens: what --dry-run prints and the confirmation shows. */
  actions: Action[];
}

export interface SetupResult {
  trusting: {
    account: string;
    role: { name: string; arn: string; status: string; actions: Action[] };
    externalId: string | null;
  };
  trusted: TrustedResult;
  profile: { name: string; values: Record<string, string>; files: string[] };
  /** What was done, in order (with dryRun: what would be); the same lines as the plan. */
  actions: Action[];
}

/** The access key id a credentials-file profile holds, so a re-run does not make another key. */
export function heldKeyId(credentialsPath: string, profile: string): string | undefined {
  return readIniFile(credentialsPath)
    ?.sections.find((s) => s.name === profile)
    ?.entries.get("aws_access_key_id")?.value;
}

const inAccount = (caller: CallerIdentity) => (action: string) => `account ${caller.account}: ${action}`;

export async function planSetup(
  clients: { trusting: AccountClients; trusted: AccountClients },
  req: SetupRequest,
): Promise<SetupPlan> {
  const { trusting: t, trusted: u, local: l } = req;
  const [trustingCaller, trustedCaller] = await Promise.all([
    getCallerIdentity(clients.trusting.sts),
    getCallerIdentity(clients.trusted.sts),
  ]);
  const partition = partitionOf(trustingCaller.arn);
  const roleArn = roleArnOf(partition, trustingCaller.account, t.roleName);
  const trusting = t.generated ? { ...t, ...(await generatedIdAgain(clients.trusting.iam, req)) } : t;
  const role = await planRoleProvision(
    clients.trusting.iam,
    desiredTrustingRole(trusting, trustedCaller.account, partition),
    { force: req.force },
  );
  const accessKeyOut = u.accessKeyOut ? { path: u.accessKeyOut, profile: l.sourceProfile } : undefined;
  const knownKeyIds = [
    heldKeyId(req.paths.credentials, l.sourceProfile),
    accessKeyOut ? heldKeyId(accessKeyOut.path, accessKeyOut.profile) : undefined,
  ].filter((id) => id !== undefined);
  const trusted = await planTrustedSide(clients.trusted.iam, {
    caller: trustedCaller,
    input: u,
    roleArn,
    roleName: t.roleName,
    roleAccount: trustingCaller.account,
    knownKeyIds,
    ledger: req.ledgerFor(trustedCaller.account, u.user),
    places: secretPlaces({
      credentials: { path: req.paths.credentials, profile: l.sourceProfile },
      ...(accessKeyOut ? { accessKeyOut } : {}),
      ...(u.mfaSeedOut ? { seedOut: u.mfaSeedOut } : {}),
      personHoldsSeed: req.personHoldsSeed,
    }),
    enableCodes: req.enableCodes,
    ...(req.proveKey ? { proveKey: req.proveKey } : {}),
  });
  const profile: ProfileWrite = {
    paths: req.paths,
    profile: l.profile,
    sourceProfile: l.sourceProfile,
    values: () => {
      const mfaSerial = trusted.made.mfaSerial ?? trusted.mfaSerial;
      return roleProfileValues({
        profile: l.profile,
        roleArn,
        sourceProfile: l.sourceProfile,
        ...(mfaSerial ? { mfaSerial } : {}),
        ...(trusting.externalId ? { externalId: trusting.externalId } : {}),
        region: req.region,
        ...(l.roleSessionName ? { roleSessionName: l.roleSessionName } : {}),
        ...(l.durationSeconds ? { durationSeconds: l.durationSeconds } : {}),
      });
    },
    ...(trusted.accessKey === "create" ||
    (typeof trusted.accessKey === "object" && "recover" in trusted.accessKey)
      ? { keys: "new" as const }
      : {}),
    keysNow: () =>
      trusted.made.accessKeyId && trusted.made.secretAccessKey
        ? { accessKeyId: trusted.made.accessKeyId, secretAccessKey: trusted.made.secretAccessKey }
        : undefined,
  };
  checkProfileConflicts(profile, l.force);
  const files: string[] = [];
  const fileSteps = profileWriteSteps(profile, files);
  const inTrusting = inAccount(trustingCaller);
  const inTrusted = inAccount(trustedCaller);
  const prefixed = (label: (s: string) => string) => (s: Step) => ({
    ...s,
    description: label(s.description),
  });
  // One list, so a stop anywhere reports everything applied and everything left.
  const steps = [
    ...rolePlanSteps(clients.trusting.iam, role.plan).map(prefixed(inTrusting)),
    ...trusted.steps.map(prefixed(inTrusted)),
    ...fileSteps,
  ];
  return {
    trustingCaller,
    trustedCaller,
    roleArn,
    role,
    trusted,
    profile,
    files,
    steps,
    fileSteps,
    actions: steps.map(actionOf),
  };
}

/** Applies the plan in order (role, trusted side, files) and says what was done. */
export async function applySetup(
  plan: SetupPlan,
  onStep?: (description: string) => void,
): Promise<SetupResult> {
  return setupResult(plan, await applySteps(plan.steps, onStep));
}

/** What the plan would do (--dry-run): the same lines apply would report. */
export const plannedSetup = (plan: SetupPlan): SetupResult => setupResult(plan, undefined);

function setupResult(plan: SetupPlan, applied: Action[] | undefined): SetupResult {
  const dryRun = applied === undefined;
  const t = plan.role.desired;
  const changes = plan.role.plan.changes.length;
  const status = !changes
    ? "unchanged"
    : plan.role.plan.exists
      ? dryRun
        ? "would-update"
        : "updated"
      : dryRun
        ? "would-create"
        : "created";
  const externalId = plan.profile.values().external_id;
  return {
    trusting: {
      account: plan.trustingCaller.account,
      role: { name: t.name, arn: plan.roleArn, status, actions: plan.role.actions },
      externalId: externalId || null,
    },
    trusted: trustedResult(plan.trusted, dryRun),
    profile: {
      name: plan.profile.profile,
      values: plan.profile.values(),
      files: dryRun ? plan.fileSteps.map((s) => `would ${s.description}`) : plan.files,
    },
    actions: applied ?? plan.actions,
  };
}

/**
 * A generated external id, again: the one the role already demands, else the one the local
 * profile names; a new one only the first time (so a re-run changes nothing).
 */
async function generatedIdAgain(
  iam: AccountClients["iam"],
  req: SetupRequest,
): Promise<{ externalId?: string }> {
  const fromRole = externalIdIn((await readRole(iam, req.trusting.roleName, false))?.trustPolicy);
  const fromProfile = existingConfigProfile(readIniFile(req.paths.config), req.local.profile)?.external_id;
  const id = fromRole ?? fromProfile;
  return id ? { externalId: id } : {};
}

/** The secrets a run saw, for --show-secrets or to show once what is held nowhere else. */
export const setupSecrets = (plan: SetupPlan): TrustedSecrets => trustedSecrets(plan.trusted);
