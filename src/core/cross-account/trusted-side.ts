import {
  CreateAccessKeyCommand,
  CreateUserCommand,
  CreateVirtualMFADeviceCommand,
  DeleteVirtualMFADeviceCommand,
  EnableMFADeviceCommand,
  GetUserCommand,
  type IAMClient,
  ListAccessKeysCommand,
  ListMFADevicesCommand,
} from "@aws-sdk/client-iam";
import { customerPolicyArn, partitionOf } from "../../shared/arn.js";
import { awsErrorName, conflictError } from "../../shared/errors.js";
import type { PolicyDocumentShape } from "../policies/document.js";
import {
  type ManagedPolicyPlan,
  type ManagedPolicyResult,
  managedPolicyResult,
  planAttachment,
  planManagedPolicy,
} from "../policies/managed.js";
import type { Step } from "../steps.js";
import type { CallerIdentity } from "../whoami.js";
import type { TrustedInput } from "./inputs.js";

// Dev Corp's side of seed 001 (part 2): a policy allowing sts:AssumeRole on Biz Corp's role,
// a user holding it, an access key, and a virtual MFA device. Planned from reads first, so that
// every refusal (IAM's two-key limit) comes before the first write.

type Iam = Pick<IAMClient, "send">;

export function assumeRolePolicy(roleArn: string): PolicyDocumentShape {
  return {
    Version: "2012-10-17",
    Statement: [{ Effect: "Allow", Action: "sts:AssumeRole", Resource: roleArn }],
  };
}

export interface NewDevice {
  serial: string;
  seed: string;
}

/** The two consecutive codes that enable a new device: shown to a person, or computed from its seed. */
export type EnableCodes = (device: NewDevice) => Promise<[string, string]>;

export interface TrustedResult {
  account: string;
  user: { name: string; status: "created" | "exists" | "would-create" };
  policy: { arn: string; status: ManagedPolicyResult["status"]; attached: boolean };
  accessKey?: {
    status: "created" | "exists" | "would-create";
    accessKeyId?: string;
    secretAccessKey?: string;
  };
  mfa?: {
    status: "created" | "exists" | "would-create";
    serial?: string;
    seed?: string;
    otpauthUri?: string;
    seedFile?: string;
  };
}

export interface TrustedSidePlan {
  account: string;
  user: string;
  userExists: boolean;
  policy: ManagedPolicyPlan;
  attach: boolean;
  /** The key the local profile holds and IAM still knows (reused), or "create". */
  accessKey?: { reuse: string } | "create";
  /** The user's existing device, or "create" (its serial is predictable: mfa/<user>). */
  mfa?: { existing: string } | "create";
  /** The MFA serial the profile will name, known before anything is created. */
  mfaSerial?: string;
  steps: Step[];
  /** Filled in by the steps as they run. */
  readonly made: { accessKeyId?: string; secretAccessKey?: string; mfaSerial?: string; seed?: string };
}

async function userExists(iam: Iam, user: string): Promise<boolean> {
  try {
    await iam.send(new GetUserCommand({ UserName: user }));
    return true;
  } catch (err) {
    if (awsErrorName(err) === "NoSuchEntity") return false;
    throw err;
  }
}

/**
 * Reads the trusted account and plans part 2. Refuses before any write when the user already
 * has two access keys and none of them is the one the local profile holds.
 */
export async function planTrustedSide(
  iam: Iam,
  o: {
    caller: CallerIdentity;
    input: TrustedInput;
    roleArn: string;
    roleName: string;
    roleAccount: string;
    /** The access key id the local source profile already holds. */
    knownKeyId?: string;
    enableCodes: EnableCodes;
  },
): Promise<TrustedSidePlan> {
  const { input, caller } = o;
  const user = input.user;
  const policyName = input.assumePolicyName ?? `AssumeRole-${o.roleName}-${o.roleAccount}`.slice(0, 128);
  const partition = partitionOf(caller.arn);
  const policy = await planManagedPolicy(iam, {
    arn: customerPolicyArn(partition, caller.account, policyName),
    name: policyName,
    document: assumeRolePolicy(o.roleArn),
    description: `Lets its holders assume ${o.roleArn} (rolectl cross-account)`,
  });
  const exists = await userExists(iam, user);
  const attach = await planAttachment(iam, { user }, policy.arn, exists);
  const made: TrustedSidePlan["made"] = {};
  const steps: Step[] = [...policy.steps];
  if (!exists)
    steps.push({
      description: `create user ${user}`,
      run: () => iam.send(new CreateUserCommand({ UserName: user })),
    });
  steps.push(...attach);

  let accessKey: TrustedSidePlan["accessKey"];
  if (input.createAccessKey) {
    const keys = exists
      ? ((await iam.send(new ListAccessKeysCommand({ UserName: user }))).AccessKeyMetadata ?? [])
      : [];
    if (o.knownKeyId && keys.some((k) => k.AccessKeyId === o.knownKeyId)) accessKey = { reuse: o.knownKeyId };
    else {
      if (keys.length >= 2) {
        throw conflictError(
          "access_key_limit",
          `User ${user} already has 2 access keys (${keys.map((k) => k.AccessKeyId).join(", ")}); IAM allows no more.`,
          {
            hint: `Delete one you no longer use (aws iam delete-access-key --user-name ${user} --access-key-id …), or leave out --create-access-key.`,
          },
        );
      }
      accessKey = "create";
      steps.push({
        description: `create an access key for ${user}`,
        run: async () => {
          const key = (await iam.send(new CreateAccessKeyCommand({ UserName: user }))).AccessKey;
          if (key?.AccessKeyId) made.accessKeyId = key.AccessKeyId;
          if (key?.SecretAccessKey) made.secretAccessKey = key.SecretAccessKey;
        },
      });
    }
  }

  let mfa: TrustedSidePlan["mfa"];
  let mfaSerial: string | undefined;
  if (input.mfa) {
    const existing = exists
      ? ((await iam.send(new ListMFADevicesCommand({ UserName: user }))).MFADevices ?? [])
      : [];
    if (existing[0]?.SerialNumber) {
      mfa = { existing: existing[0].SerialNumber };
      mfaSerial = existing[0].SerialNumber;
    } else {
      mfa = "create";
      mfaSerial = `arn:${partition}:iam::${caller.account}:mfa/${user}`;
      steps.push({
        description: `create and enable a virtual MFA device for ${user}`,
        run: () => createVirtualMfa(iam, user, o.enableCodes, made),
      });
    }
  }
  return {
    account: caller.account,
    user,
    userExists: exists,
    policy,
    attach: attach.length > 0,
    ...(accessKey ? { accessKey } : {}),
    ...(mfa ? { mfa } : {}),
    ...(mfaSerial ? { mfaSerial } : {}),
    steps,
    made,
  };
}

/** A new device enabled with two codes; if enabling fails, the device is deleted again. */
async function createVirtualMfa(
  iam: Iam,
  user: string,
  enableCodes: EnableCodes,
  made: TrustedSidePlan["made"],
): Promise<void> {
  const device = (await iam.send(new CreateVirtualMFADeviceCommand({ VirtualMFADeviceName: user })))
    .VirtualMFADevice;
  const serial = device?.SerialNumber ?? "";
  const seed = device?.Base32StringSeed ? Buffer.from(device.Base32StringSeed).toString("ascii") : "";
  try {
    const [code1, code2] = await enableCodes({ serial, seed });
    await iam.send(
      new EnableMFADeviceCommand({
        UserName: user,
        SerialNumber: serial,
        AuthenticationCode1: code1,
        AuthenticationCode2: code2,
      }),
    );
  } catch (err) {
    await iam.send(new DeleteVirtualMFADeviceCommand({ SerialNumber: serial })).catch(() => {});
    throw err;
  }
  made.mfaSerial = serial;
  made.seed = seed;
}

/** What part 2 did (or, with dryRun, would do). */
export function trustedResult(plan: TrustedSidePlan, dryRun: boolean, seedOut?: string): TrustedResult {
  const would = (done: "created") => (dryRun ? "would-create" : done);
  const key = plan.accessKey;
  const mfa = plan.mfa;
  return {
    account: plan.account,
    user: { name: plan.user, status: plan.userExists ? "exists" : would("created") },
    policy: {
      arn: plan.policy.arn,
      status: managedPolicyResult(plan.policy, dryRun).status,
      attached: plan.attach,
    },
    ...(key === undefined
      ? {}
      : key === "create"
        ? {
            accessKey: {
              status: would("created"),
              ...(plan.made.accessKeyId ? { accessKeyId: plan.made.accessKeyId } : {}),
              ...(plan.made.secretAccessKey ? { secretAccessKey: plan.made.secretAccessKey } : {}),
            },
          }
        : { accessKey: { status: "exists", accessKeyId: key.reuse } }),
    ...(mfa === undefined
      ? {}
      : mfa === "create"
        ? {
            mfa: {
              status: would("created"),
              ...(plan.made.mfaSerial ? { serial: plan.made.mfaSerial } : {}),
              ...(plan.made.seed && !seedOut
                ? { seed: plan.made.seed, otpauthUri: otpauthUri(plan.made.seed, plan.user, plan.account) }
                : {}),
              ...(plan.made.seed && seedOut ? { seedFile: seedOut } : {}),
            },
          }
        : { mfa: { status: "exists", serial: mfa.existing } }),
  };
}

export function otpauthUri(seed: string, user: string, account: string): string {
  const label = encodeURIComponent(`Amazon Web Services:${user}@${account}`);
  return `otpauth://totp/${label}?secret=${seed}&issuer=${encodeURIComponent("Amazon Web Services")}`;
}
