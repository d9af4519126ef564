import {
  CreateAccessKeyCommand,
  CreateVirtualMFADeviceCommand,
  DeleteAccessKeyCommand,
  DeleteVirtualMFADeviceCommand,
  EnableMFADeviceCommand,
  type IAMClient,
  ListAccessKeysCommand,
  ListMFADevicesCommand,
  ListVirtualMFADevicesCommand,
} from "@aws-sdk/client-iam";
import type { STSClient } from "@aws-sdk/client-sts";
import type { Ledger, LedgerRecord } from "../../cache/ledger.js";
import { isRolectlError } from "../../shared/errors.js";
import { getCallerIdentity } from "../whoami.js";

// The two things IAM hands out a secret for exactly once: an access key and a virtual MFA
// device's seed. Each create is announced in the ledger before it is sent; the secret is written
// to the ledger the moment AWS returns it, before any other call; and a create whose answer was
// lost is settled by reading what exists, never by sending it again blindly.

type Iam = Pick<IAMClient, "send">;

export const isLostAnswer = (err: unknown) => isRolectlError(err) && err.code === "lost_answer";

export interface KeyMeta {
  id: string;
  created?: Date;
}

export async function listKeys(iam: Iam, user: string): Promise<KeyMeta[]> {
  const out = await iam.send(new ListAccessKeysCommand({ UserName: user }));
  return (out.AccessKeyMetadata ?? [])
    .filter((k) => k.AccessKeyId)
    .map((k) => ({ id: k.AccessKeyId as string, ...(k.CreateDate ? { created: k.CreateDate } : {}) }));
}

export const listKeyIds = async (iam: Iam, user: string): Promise<string[]> =>
  (await listKeys(iam, user)).map((k) => k.id);

export interface NewKey {
  accessKeyId: string;
  secretAccessKey: string;
}

/** Clocks differ and a request can wait in a queue: how far from `sentAt` a key can be ours. */
const CREATE_WINDOW_MS = 5 * 60_000;

/**
 * The keys a lost CreateAccessKey made: not there before it was sent, not in the ledger, and
 * created around when it was sent (a key another admin made later is not rolectl's to delete).
 */
export function keysLostBy(record: LedgerRecord, keys: KeyMeta[]): string[] {
  const pending = record.pending;
  if (pending?.op !== "CreateAccessKey") return [];
  const before = new Set(pending.before);
  const sent = Date.parse(pending.sentAt ?? "");
  return keys
    .filter((k) => !before.has(k.id) && !record.keys.some((held) => held.id === k.id))
    .filter(
      (k) => Number.isNaN(sent) || !k.created || Math.abs(k.created.getTime() - sent) <= CREATE_WINDOW_MS,
    )
    .map((k) => k.id);
}

/**
 * Creates an access key. If the answer is lost, the key that appeared meanwhile is deleted (its
 * secret reached nobody; `onLost` says so) and the create is sent once more. If IAM does not
 * show one yet (it can lag), the run stops with lost_answer and the ledger keeps the pending
 * create, so that the next run settles it.
 */
export async function mintAccessKey(
  iam: Iam,
  ledger: Ledger,
  user: string,
  onLost: (note: string) => void,
  now: () => number = Date.now,
): Promise<NewKey> {
  for (let attempt = 1; ; attempt++) {
    const before = await listKeyIds(iam, user);
    await ledger.update((r) => {
      r.pending = { op: "CreateAccessKey", before, sentAt: new Date(now()).toISOString() };
    });
    try {
      const key = (await iam.send(new CreateAccessKeyCommand({ UserName: user }))).AccessKey;
      const made = { accessKeyId: key?.AccessKeyId ?? "", secretAccessKey: key?.SecretAccessKey ?? "" };
      await ledger.update((r) => {
        r.keys.push({ id: made.accessKeyId, secret: made.secretAccessKey });
        delete r.pending;
      });
      return made;
    } catch (err) {
      if (!isLostAnswer(err) || attempt > 1) throw err;
      const lost = await settleLostKeys(iam, ledger, user);
      if (!lost.length) throw err; // nothing to see yet: the pending record stays for the next run
      for (const id of lost)
        onLost(`deleted access key ${id}: its creation's answer was lost, so nobody holds its secret`);
    }
  }
}

/** Deletes the keys a lost CreateAccessKey made; returns their ids (the pending record goes with them). */
export async function settleLostKeys(iam: Iam, ledger: Ledger, user: string): Promise<string[]> {
  const record = await ledger.read();
  const lost = keysLostBy(record, await listKeys(iam, user));
  for (const id of lost) await iam.send(new DeleteAccessKeyCommand({ UserName: user, AccessKeyId: id }));
  if (lost.length)
    await ledger.update((r) => {
      delete r.pending;
    });
  return lost;
}

export interface NewDevice {
  serial: string;
  seed: string;
}

export async function unassignedDevice(iam: Iam, serial: string): Promise<boolean> {
  let marker: string | undefined;
  do {
    const page = await iam.send(
      new ListVirtualMFADevicesCommand({
        AssignmentStatus: "Unassigned",
        ...(marker ? { Marker: marker } : {}),
      }),
    );
    if ((page.VirtualMFADevices ?? []).some((d) => d.SerialNumber === serial)) return true;
    marker = page.IsTruncated ? page.Marker : undefined;
  } while (marker);
  return false;
}

/** Creates a virtual MFA device named after the user; a lost answer is settled like a key's. */
export async function mintDevice(
  iam: Iam,
  ledger: Ledger,
  o: { user: string; serial: string },
  onLost: (note: string) => void,
): Promise<NewDevice> {
  for (let attempt = 1; ; attempt++) {
    await ledger.update((r) => {
      r.pending = { op: "CreateVirtualMFADevice", before: [] };
    });
    try {
      const device = (await iam.send(new CreateVirtualMFADeviceCommand({ VirtualMFADeviceName: o.user })))
        .VirtualMFADevice;
      const made = {
        serial: device?.SerialNumber ?? o.serial,
        seed: device?.Base32StringSeed ? Buffer.from(device.Base32StringSeed).toString("ascii") : "",
      };
      await ledger.update((r) => {
        r.devices = r.devices.filter((d) => d.serial !== made.serial);
        r.devices.push({ serial: made.serial, seed: made.seed });
        delete r.pending;
      });
      return made;
    } catch (err) {
      if (!isLostAnswer(err) || attempt > 1) throw err;
      if (await settleLostDevice(iam, ledger, o.serial))
        onLost(
          `deleted virtual MFA device ${o.serial}: its creation's answer was lost, so nobody holds its seed`,
        );
    }
  }
}

/** Deletes the unassigned device a lost create made; true when there was one. */
export async function settleLostDevice(iam: Iam, ledger: Ledger, serial: string): Promise<boolean> {
  const found = await unassignedDevice(iam, serial);
  if (found) await iam.send(new DeleteVirtualMFADeviceCommand({ SerialNumber: serial }));
  await ledger.update((r) => {
    delete r.pending;
    r.devices = r.devices.filter((d) => d.serial !== serial);
  });
  return found;
}

export async function deviceAssigned(iam: Iam, user: string, serial: string): Promise<boolean> {
  const out = await iam.send(new ListMFADevicesCommand({ UserName: user }));
  return (out.MFADevices ?? []).some((d) => d.SerialNumber === serial);
}

/** Enables the device; an error after which the device is in fact assigned (a lost answer) is success. */
export async function enableDevice(
  iam: Iam,
  o: { user: string; serial: string; codes: [string, string] },
): Promise<void> {
  try {
    await iam.send(
      new EnableMFADeviceCommand({
        UserName: o.user,
        SerialNumber: o.serial,
        AuthenticationCode1: o.codes[0],
        AuthenticationCode2: o.codes[1],
      }),
    );
  } catch (err) {
    if (!(await deviceAssigned(iam, o.user, o.serial).catch(() => false))) throw err;
  }
}

/**
 * A new access key takes a few seconds to work everywhere: retries `call` (a GetCallerIdentity
 * with the key) while AWS calls the key invalid, up to `timeoutMs`.
 */
export async function waitUntilKeyWorks(
  call: () => Promise<unknown>,
  o: { timeoutMs: number; sleep?: (ms: number) => Promise<void>; now?: () => number },
): Promise<void> {
  const sleep = o.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const now = o.now ?? Date.now;
  const started = now();
  let delay = 500;
  for (;;) {
    try {
      await call();
      return;
    } catch (err) {
      const invalid = isRolectlError(err) && err.code === "invalid_credentials";
      if (!invalid || now() - started + delay > o.timeoutMs) throw err;
      await sleep(delay);
      delay = Math.min(delay * 2, 4000);
    }
  }
}

/** Proves a key with GetCallerIdentity made with it, riding out the seconds a new key needs. */
export const keyProver =
  (stsFor: (key: NewKey) => Promise<Pick<STSClient, "send">>, timeoutMs = 30_000) =>
  async (key: NewKey): Promise<void> => {
    const sts = await stsFor(key);
    await waitUntilKeyWorks(() => getCallerIdentity(sts), { timeoutMs });
  };
