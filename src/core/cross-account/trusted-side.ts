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
import { awsErrorName, conflictError } from "../../shared/errors.js";
import type { PolicyDocumentShape } from "../policies/document.js";

// Dev Corp's side of seed 001 (part 2): a policy allowing sts:AssumeRole on Biz Corp's role,
// a user holding it, an access key, and a virtual MFA device.

type Iam = Pick<IAMClient, "send">;

export function assumeRolePolicy(roleArn: string): PolicyDocumentShape {
  return {
    Version: "2012-10-17",
    Statement: [{ Effect: "Allow", Action: "sts:AssumeRole", Resource: roleArn }],
  };
}

export async function ensureUser(
  iam: Iam,
  user: string,
  dryRun: boolean,
): Promise<"created" | "exists" | "would-create"> {
  try {
    await iam.send(new GetUserCommand({ UserName: user }));
    return "exists";
  } catch (err) {
    if (awsErrorName(err) !== "NoSuchEntity") throw err;
  }
  if (dryRun) return "would-create";
  await iam.send(new CreateUserCommand({ UserName: user }));
  return "created";
}

export interface AccessKeyResult {
  status: "created" | "exists" | "would-create";
  accessKeyId?: string;
  secretAccessKey?: string;
}

/**
 * A key for the user: the one the local profile already holds if IAM still knows it, else a new
 * one. IAM allows two keys per user; a third is refused here with the reason, not at AWS.
 */
export async function ensureAccessKey(
  iam: Iam,
  user: string,
  knownKeyId: string | undefined,
  dryRun: boolean,
): Promise<AccessKeyResult> {
  const keys = (await iam.send(new ListAccessKeysCommand({ UserName: user }))).AccessKeyMetadata ?? [];
  if (knownKeyId && keys.some((k) => k.AccessKeyId === knownKeyId))
    return { status: "exists", accessKeyId: knownKeyId };
  if (keys.length >= 2) {
    throw conflictError(
      "access_key_limit",
      `User ${user} already has 2 access keys (${keys.map((k) => k.AccessKeyId).join(", ")}); IAM allows no more.`,
      {
        hint: `Delete one you no longer use (aws iam delete-access-key --user-name ${user} --access-key-id …), or leave out --create-access-key.`,
      },
    );
  }
  if (dryRun) return { status: "would-create" };
  const key = (await iam.send(new CreateAccessKeyCommand({ UserName: user }))).AccessKey;
  return {
    status: "created",
    ...(key?.AccessKeyId ? { accessKeyId: key.AccessKeyId } : {}),
    ...(key?.SecretAccessKey ? { secretAccessKey: key.SecretAccessKey } : {}),
  };
}

export interface MfaDeviceResult {
  status: "created" | "exists" | "would-create";
  serial?: string;
  /** Base32 seed of a device created now: a secret, shown once. */
  seed?: string;
}

export interface NewDevice {
  serial: string;
  seed: string;
}

/**
 * The user's MFA device: the existing one, or a new virtual device enabled with two consecutive
 * codes from `codesFor` (which may show the seed to a person or compute codes from it). If enabling
 * fails, the new device is deleted again so nothing is left half-made.
 */
export async function ensureVirtualMfa(
  iam: Iam,
  user: string,
  codesFor: (device: NewDevice) => Promise<[string, string]>,
  dryRun: boolean,
): Promise<MfaDeviceResult> {
  const existing = (await iam.send(new ListMFADevicesCommand({ UserName: user }))).MFADevices ?? [];
  if (existing[0]?.SerialNumber) return { status: "exists", serial: existing[0].SerialNumber };
  if (dryRun) return { status: "would-create" };
  const made = (await iam.send(new CreateVirtualMFADeviceCommand({ VirtualMFADeviceName: user })))
    .VirtualMFADevice;
  const serial = made?.SerialNumber ?? "";
  const seed = made?.Base32StringSeed ? Buffer.from(made.Base32StringSeed).toString("ascii") : "";
  try {
    const [code1, code2] = await codesFor({ serial, seed });
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
  return { status: "created", serial, seed };
}

export function otpauthUri(seed: string, user: string, account: string): string {
  const label = encodeURIComponent(`Amazon Web Services:${user}@${account}`);
  return `otpauth://totp/${label}?secret=${seed}&issuer=${encodeURIComponent("Amazon Web Services")}`;
}
