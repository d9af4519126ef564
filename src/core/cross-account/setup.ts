import type { IAMClient } from "@aws-sdk/client-iam";
import type { STSClient } from "@aws-sdk/client-sts";
import { type AwsFilePaths, readIniFile } from "../../config/files.js";
import { partitionOf, roleArnOf } from "../../shared/arn.js";
import {
  applyRoleProvision,
  planRoleProvision,
  type RoleProvision,
  unappliedOutcome,
} from "../roles/provision.js";
import { applySteps, type Step } from "../steps.js";
import { type CallerIdentity, getCallerIdentity } from "../whoami.js";
import type { LocalInput, TrustedInput, TrustingInput } from "./inputs.js";
import {
  checkProfileConflicts,
  type ProfileWrite,
  profileWriteSteps,
  roleProfileValues,
} from "./local-profile.js";
import {
  type EnableCodes,
  planTrustedSide,
  type TrustedResult,
  type TrustedSidePlan,
  trustedResult,
} from "./trusted-side.js";
import { desiredTrustingRole } from "./trusting-side.js";

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
  steps: { trusted: Step[]; files: Step[] };
  /** Every change, where it happens: what --dry-run prints and the confirmation shows. */
  actions: string[];
}

export interface SetupResult {
  trusting: {
    account: string;
    role: { name: string; arn: string; status: string; actions: string[] };
    externalId?: string;
  };
  trusted: TrustedResult;
  profile: { name: string; values: Record<string, string>; files: string[] };
  /** What was done, in order (with dryRun: what would be); the same lines as the plan. */
  actions: string[];
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
  const role = await planRoleProvision(
    clients.trusting.iam,
    desiredTrustingRole(t, trustedCaller.account, partition),
    { force: req.force },
  );
  const knownKeyId = heldKeyId(req.paths.credentials, l.sourceProfile);
  const trusted = await planTrustedSide(clients.trusted.iam, {
    caller: trustedCaller,
    input: u,
    roleArn,
    roleName: t.roleName,
    roleAccount: trustingCaller.account,
    ...(knownKeyId ? { knownKeyId } : {}),
    enableCodes: req.enableCodes,
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
        ...(t.externalId ? { externalId: t.externalId } : {}),
        region: req.region,
        ...(l.roleSessionName ? { roleSessionName: l.roleSessionName } : {}),
        ...(l.durationSeconds ? { durationSeconds: l.durationSeconds } : {}),
      });
    },
    ...(trusted.accessKey === "create" ? { keys: "new" as const } : {}),
    keysNow: () =>
      trusted.made.accessKeyId && trusted.made.secretAccessKey
        ? { accessKeyId: trusted.made.accessKeyId, secretAccessKey: trusted.made.secretAccessKey }
        : undefined,
  };
  checkProfileConflicts(profile, l.force);
  const files: string[] = [];
  const steps = { trusted: trusted.steps, files: profileWriteSteps(profile, files) };
  return {
    trustingCaller,
    trustedCaller,
    roleArn,
    role,
    trusted,
    profile,
    files,
    steps,
    actions: [
      ...role.actions.map(inAccount(trustingCaller)),
      ...trusted.steps.map((s) => inAccount(trustedCaller)(s.description)),
      ...steps.files.map((s) => s.description),
    ],
  };
}

/** Applies the plan in order (role, trusted side, files), or with dryRun describes it. */
export async function applySetup(
  clients: { trusting: AccountClients },
  plan: SetupPlan,
  options: { dryRun: boolean; seedOut?: string; onStep?: (description: string) => void },
): Promise<SetupResult> {
  const { dryRun, onStep } = options;
  const outcome = dryRun
    ? unappliedOutcome(plan.role, "dry-run")
    : await applyRoleProvision(clients.trusting.iam, plan.role, onStep);
  const actions = dryRun
    ? plan.actions
    : [
        ...(outcome.status === "unchanged" ? [] : outcome.actions.map(inAccount(plan.trustingCaller))),
        ...(await applySteps(plan.steps.trusted, onStep)).map(inAccount(plan.trustedCaller)),
        ...(await applySteps(plan.steps.files, onStep)),
      ];
  const t = plan.role.desired;
  const externalId = plan.profile.values().external_id;
  return {
    trusting: {
      account: plan.trustingCaller.account,
      role: { name: t.name, arn: plan.roleArn, status: outcome.status, actions: outcome.actions },
      ...(externalId ? { externalId } : {}),
    },
    trusted: trustedResult(plan.trusted, dryRun, options.seedOut),
    profile: {
      name: plan.profile.profile,
      values: plan.profile.values(),
      files: dryRun ? plan.steps.files.map((s) => `would ${s.description}`) : plan.files,
    },
    actions,
  };
}
