import {
  CreateUserCommand,
  DeleteAccessKeyCommand,
  GetUserCommand,
  type IAMClient,
  ListMFADevicesCommand,
} from "@aws-sdk/client-iam";
import { existsAfterRetry } from "../../aws/errors.js";
import type { Ledger, LedgerRecord } from "../../cache/ledger.js";
import { customerPolicyArn, partitionOf } from "../../shared/arn.js";
import { awsErrorName, conflictError, RolectlError, usageError } from "../../shared/errors.js";
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
import {
  enableDevice,
  keysLostBy,
  listKeys,
  mintAccessKey,
  mintDevice,
  type NewDevice,
  type NewKey,
  settleLostDevice,
  settleLostKeys,
  unassignedDevice,
} from "./minted.js";

export type { NewDevice, NewKey };

// Dev Corp's side of seed 001 (part 2): a policy allowing sts:AssumeRole on Biz Corp's role,
// a user holding it, a virtual MFA device and an access key. Planned from reads first (IAM and
// rolectl's ledger), so that every refusal comes before the first write, and a re-run picks up
// what an interrupted one left.

type Iam = Pick<IAMClient, "send">;

export function assumeRolePolicy(roleArn: string): PolicyDocumentShape {
  return {
    Version: "2012-10-17",
    Statement: [{ Effect: "Allow", Action: "sts:AssumeRole", Resource: roleArn }],
  };
}

/** The two consecutive codes that enable a new device: shown to a person, or computed from its seed. */
export type EnableCodes = (device: NewDevice) => Promise<[string, string]>;

/** Where each secret went: a file the user named, the credentials file, or the ledger. */
export interface SecretPlaces {
  /** Stores a new (or recovered) access key where the user reads it; returns that place. */
  storeKey?: (key: NewKey) => Promise<string>;
  /** Stores a new device's seed in the file the user named (--mfa-seed-out); returns it. */
  storeSeed?: (device: NewDevice) => Promise<string>;
  /** A person scanned the seed (so the ledger need not keep it once the device is enabled). */
  personHoldsSeed: boolean;
}

export interface TrustedResult {
  account: string;
  user: { name: string; status: "created" | "exists" | "would-create" };
  policy: { arn: string; status: ManagedPolicyResult["status"]; attached: boolean };
  // --json keys are always present: null where there is nothing (no key asked for, no seed file).
  accessKey: {
    status: "created" | "exists" | "would-create";
    accessKeyId: string | null;
    /** Where the secret is: the credentials file, --access-key-out, or rolectl's ledger. */
    storedIn: string | null;
    /** --rotate-access-key: the key this one replaces (deleted once the new one worked). */
    replaces: string | null;
  } | null;
  mfa: {
    status: "created" | "exists" | "would-create";
    serial: string | null;
    /** Where the seed is when no person scanned it: --mfa-seed-out or rolectl's ledger. */
    seedFile: string | null;
  } | null;
  /** Things settled on the way (what a lost answer left behind, and was removed). */
  notes: string[];
}

/** The secret values themselves: only for --show-secrets, or shown once when held nowhere else. */
export interface TrustedSecrets {
  secretAccessKey?: string;
  seed?: string;
  otpauthUri?: string;
}

export interface TrustedSidePlan {
  account: string;
  user: string;
  userExists: boolean;
  policy: ManagedPolicyPlan;
  attach: boolean;
  /** A key the user's files hold (reused), one rolectl holds from an earlier run, "create", or a rotation. */
  accessKey?: { reuse: string } | { recover: string } | { rotate: string } | "create";
  /** The user's assigned device, a device an earlier run made (its seed held), or "create". */
  mfa?: { existing: string } | { resume: string } | "create";
  /** The MFA serial the profile will name, known before anything is created. */
  mfaSerial?: string;
  /** The seed of the user's assigned device, when the ledger holds it (to prove the profile). */
  heldSeed?: string;
  ledgerPath: string;
  steps: Step[];
  /** Filled in by the steps as they run. */
  readonly made: {
    accessKeyId?: string;
    secretAccessKey?: string;
    keyStoredIn?: string;
    mfaSerial?: string;
    seed?: string;
    seedFile?: string;
    /** Where the seed is right now (the ledger, a file, or the app it was scanned into). */
    seedIn?: string;
    notes: string[];
  };
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

export interface TrustedSideRequest {
  caller: CallerIdentity;
  input: TrustedInput;
  roleArn: string;
  roleName: string;
  roleAccount: string;
  /** Access key ids the user's files hold (the source profile, --access-key-out). */
  knownKeyIds?: string[];
  ledger: Ledger;
  places: SecretPlaces;
  enableCodes: EnableCodes;
  /** Proves a new key works (a call made with it); needed to rotate. */
  proveKey?: (key: NewKey) => Promise<void>;
}

/**
 * Reads the trusted account and the ledger, and plans part 2: policy, user, attachment, then the
 * MFA device, then the access key (secrets last, each stored the moment AWS returns it). Refuses
 * before any write when the user already has two keys rolectl cannot reuse, or an unassigned
 * device of the user's name exists that rolectl did not make.
 */
export async function planTrustedSide(iam: Iam, o: TrustedSideRequest): Promise<TrustedSidePlan> {
  const { input, caller, ledger, places } = o;
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
  const attach = await planAttachment(iam, { user }, policy.arn, exists ? "exists" : "new");
  const record = await ledger.read();
  const made: TrustedSidePlan["made"] = { notes: [] };
  const note = (n: string) => made.notes.push(n);
  const steps: Step[] = [...policy.steps];
  if (!exists)
    steps.push({
      description: `create user ${user}`,
      operation: "iam:CreateUser",
      target: user,
      run: async () => {
        try {
          await iam.send(new CreateUserCommand({ UserName: user }));
        } catch (err) {
          if (!existsAfterRetry(err)) throw err; // the lost first attempt made it
        }
      },
    });
  steps.push(...attach);

  let mfa: TrustedSidePlan["mfa"];
  let mfaSerial: string | undefined;
  let heldSeed: string | undefined;
  if (input.mfa) {
    const assigned = exists
      ? ((await iam.send(new ListMFADevicesCommand({ UserName: user }))).MFADevices ?? [])
      : [];
    if (assigned[0]?.SerialNumber) {
      mfa = { existing: assigned[0].SerialNumber };
      mfaSerial = assigned[0].SerialNumber;
      heldSeed = record.devices.find((d) => d.serial === mfaSerial && d.seed)?.seed;
      if (heldSeed) made.seedFile = ledger.path;
    } else {
      mfaSerial = `arn:${partition}:iam::${caller.account}:mfa/${user}`;
      const serial = mfaSerial;
      const earlier = record.devices.find((d) => d.serial === serial);
      const lingering = await unassignedDevice(iam, serial);
      if (lingering && earlier?.seed) {
        const seed = earlier.seed;
        mfa = { resume: serial };
        steps.push({
          description: `enable virtual MFA device ${serial} (made by an earlier run; its seed is in ${ledger.path})`,
          operation: "iam:EnableMFADevice",
          target: serial,
          run: () =>
            enableAndSettle(iam, {
              user,
              device: { serial, seed },
              ledger,
              places,
              enableCodes: o.enableCodes,
              made,
            }),
        });
      } else {
        if (lingering && !earlier && record.pending?.op !== "CreateVirtualMFADevice") {
          throw conflictError(
            "already_exists",
            `An unassigned virtual MFA device ${serial} exists, and rolectl did not make it.`,
            {
              hint: `If nobody uses it, delete it (aws iam delete-virtual-mfa-device --serial-number ${serial}) and run again; or leave out --mfa.`,
            },
          );
        }
        if (lingering)
          steps.push({
            description: `delete virtual MFA device ${serial} (an earlier run made it, but its seed was lost)`,
            operation: "iam:DeleteVirtualMFADevice",
            target: serial,
            run: async () => {
              if (await settleLostDevice(iam, ledger, serial))
                note(`deleted virtual MFA device ${serial}: its seed was lost`);
            },
          });
        mfa = "create";
        // Two steps, so that a stop at the code prompt reports the device as made (its seed kept).
        let device: NewDevice | undefined;
        steps.push(
          {
            description: `create a virtual MFA device for ${user}`,
            operation: "iam:CreateVirtualMFADevice",
            target: serial,
            run: async () => {
              device = await mintDevice(iam, ledger, { user, serial }, note);
              made.seed = device.seed;
              made.seedIn = ledger.path;
            },
          },
          {
            description: `enable virtual MFA device ${serial} for ${user}`,
            operation: "iam:EnableMFADevice",
            target: serial,
            run: async () => {
              if (device)
                await enableAndSettle(iam, {
                  user,
                  device,
                  ledger,
                  places,
                  enableCodes: o.enableCodes,
                  made,
                });
            },
          },
        );
      }
    }
  }

  let accessKey: TrustedSidePlan["accessKey"];
  if (input.createAccessKey) {
    const keys = exists ? await listKeys(iam, user) : [];
    const ids = keys.map((k) => k.id);
    const lost = keysLostBy(record, keys);
    const held = (o.knownKeyIds ?? []).find((id) => ids.includes(id));
    const recoverable = record.keys.find((k) => k.secret && ids.includes(k.id));
    if (input.rotateAccessKey) {
      const rotation = planRotation(iam, { request: o, record, ids, lost, held, made, note });
      accessKey = rotation.accessKey;
      steps.push(...rotation.steps);
    } else if (held) accessKey = { reuse: held };
    else if (recoverable?.secret) {
      const key = { accessKeyId: recoverable.id, secretAccessKey: recoverable.secret };
      accessKey = { recover: recoverable.id };
      steps.push({
        description: `store access key ${key.accessKeyId} (made by an earlier run; held in ${ledger.path})`,
        operation: "file:write",
        target: ledger.path,
        run: () => storeKey(ledger, places, key, made),
      });
    } else {
      if (ids.length - lost.length >= 2) {
        throw conflictError(
          "access_key_limit",
          `User ${user} already has 2 access keys (${ids.join(", ")}); IAM allows no more, and rolectl holds the secret of neither.`,
          {
            hint: `Delete one you no longer use (aws iam delete-access-key --user-name ${user} --access-key-id …), or leave out --create-access-key.`,
          },
        );
      }
      for (const id of lost)
        steps.push({
          description: `delete access key ${id} of ${user} (an earlier run made it, but its secret was lost)`,
          operation: "iam:DeleteAccessKey",
          target: id,
          run: async () => {
            for (const gone of await settleLostKeys(iam, ledger, user))
              note(`deleted access key ${gone}: its secret was lost`);
          },
        });
      accessKey = "create";
      steps.push({
        description: `create an access key for ${user}`,
        operation: "iam:CreateAccessKey",
        target: user,
        run: async () => storeKey(ledger, places, await mintAccessKey(iam, ledger, user, note), made),
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
    ...(heldSeed ? { heldSeed } : {}),
    ledgerPath: ledger.path,
    steps,
    made,
  };
}

/**
 * --rotate-access-key: a new key (stored where the old one was), proved to work, then the old one
 * deleted. Only the key the user's files hold is rotated; a key rolectl does not hold is never
 * touched, so with two keys there is no room and the rotation is refused before any write.
 */
function planRotation(
  iam: Iam,
  c: {
    request: TrustedSideRequest;
    record: LedgerRecord;
    ids: string[];
    lost: string[];
    held: string | undefined;
    made: TrustedSidePlan["made"];
    note: (n: string) => void;
  },
): { accessKey: { rotate: string }; steps: Step[] } {
  const { request: o, made, note } = c;
  const user = o.input.user;
  if (!o.proveKey) throw new RolectlError("internal", "Rotating a key needs a way to prove the new one.");
  const proveKey = o.proveKey;
  const prove: Step = {
    description: `check that the new access key of ${user} works`,
    operation: "sts:GetCallerIdentity",
    target: user,
    run: async () => {
      if (made.accessKeyId && made.secretAccessKey)
        await proveKey({ accessKeyId: made.accessKeyId, secretAccessKey: made.secretAccessKey });
    },
  };
  const retire = (old: string): Step => ({
    description: `delete the old access key ${old} of ${user}`,
    operation: "iam:DeleteAccessKey",
    target: old,
    run: async () => {
      await iam
        .send(new DeleteAccessKeyCommand({ UserName: user, AccessKeyId: old }))
        .catch((err: unknown) => {
          if (awsErrorName(err) !== "NoSuchEntity") throw err; // deleted already (a lost answer)
        });
      await o.ledger.update((r) => {
        r.keys = r.keys.filter((k) => k.id !== old);
        const fresh = r.keys.find((k) => k.id === made.accessKeyId);
        if (fresh && made.keyStoredIn && made.keyStoredIn !== o.ledger.path) delete fresh.secret;
        delete r.rotation;
      });
    },
  });

  // A rotation an earlier run began: the new key exists and the ledger still holds its secret.
  const begun = c.record.rotation;
  const fresh = begun && c.record.keys.find((k) => k.id === begun.new && k.secret);
  if (begun && fresh?.secret && c.ids.includes(begun.new)) {
    const key = { accessKeyId: fresh.id, secretAccessKey: fresh.secret };
    const steps: Step[] = [
      {
        description: `store the new access key ${key.accessKeyId} (made by an earlier run; held in ${o.ledger.path})`,
        operation: "file:write",
        target: o.ledger.path,
        run: () => storeKey(o.ledger, o.places, key, made, true),
      },
    ];
    steps.push(prove, retire(begun.old));
    return { accessKey: { rotate: begun.old }, steps };
  }

  const old = c.held;
  if (!old)
    throw usageError(
      "invalid_input",
      `--rotate-access-key: none of ${user}'s access keys (${c.ids.join(", ") || "none"}) is in the files rolectl writes, so there is nothing it may rotate.`,
      { hint: "Use --create-access-key for a first key; rolectl never deletes a key it does not hold." },
    );
  if (c.ids.length - c.lost.length >= 2)
    throw conflictError(
      "access_key_limit",
      `User ${user} already has 2 access keys (${c.ids.join(", ")}): no room for a new one before ${old} is deleted.`,
      { hint: `Delete the key that is not ${old} if nobody uses it, then rotate.` },
    );
  const steps: Step[] = c.lost.map((id) => ({
    description: `delete access key ${id} of ${user} (an earlier run made it, but its secret was lost)`,
    operation: "iam:DeleteAccessKey",
    target: id,
    run: async () => {
      for (const gone of await settleLostKeys(iam, o.ledger, user))
        note(`deleted access key ${gone}: its secret was lost`);
    },
  }));
  steps.push(
    {
      description: `create a new access key for ${user}`,
      operation: "iam:CreateAccessKey",
      target: user,
      run: async () => {
        const key = await mintAccessKey(iam, o.ledger, user, note);
        // Until the old key is gone the ledger keeps the new secret, so a stopped rotation resumes.
        await o.ledger.update((r) => {
          r.rotation = { old, new: key.accessKeyId };
        });
        await storeKey(o.ledger, o.places, key, made, true);
      },
    },
    prove,
    retire(old),
  );
  return { accessKey: { rotate: old }, steps };
}

/**
 * The key to where the user reads it. The ledger lets go of the secret once that place has it,
 * unless `keepSecret`: a rotation keeps it until the old key is gone, so that it can resume.
 */
async function storeKey(
  ledger: Ledger,
  places: SecretPlaces,
  key: NewKey,
  made: TrustedSidePlan["made"],
  keepSecret = false,
) {
  made.accessKeyId = key.accessKeyId;
  made.secretAccessKey = key.secretAccessKey;
  made.keyStoredIn = ledger.path;
  if (!places.storeKey) return;
  const where = await places.storeKey(key);
  await ledger.update((r) => {
    const k = r.keys.find((x) => x.id === key.accessKeyId);
    if (!k) return;
    k.storedIn = where;
    if (!keepSecret) delete k.secret;
  });
  made.keyStoredIn = where;
}

/**
 * Seed to --mfa-seed-out (if named), codes, EnableMFADevice; then the ledger keeps the seed only
 * when no file and no person has it. A failure leaves the device and its seed for the next run.
 */
async function enableAndSettle(
  iam: Iam,
  o: {
    user: string;
    device: NewDevice;
    ledger: Ledger;
    places: SecretPlaces;
    enableCodes: EnableCodes;
    made: TrustedSidePlan["made"];
  },
): Promise<void> {
  const { device, ledger, places, made } = o;
  made.seed = device.seed;
  made.seedIn = ledger.path;
  const seedFile = places.storeSeed ? await places.storeSeed(device) : undefined;
  if (seedFile) made.seedIn = seedFile;
  const codes = await o.enableCodes(device);
  await enableDevice(iam, { user: o.user, serial: device.serial, codes });
  const keep = !seedFile && !places.personHoldsSeed;
  await ledger.update((r) => {
    const d = r.devices.find((x) => x.serial === device.serial);
    if (!d) return;
    d.enabled = true;
    if (!keep) delete d.seed;
    if (seedFile) d.storedIn = seedFile;
  });
  made.mfaSerial = device.serial;
  made.seedFile = seedFile ?? (keep ? ledger.path : undefined);
  made.seedIn = made.seedFile ?? "the authenticator app it was scanned into";
}

/** What part 2 did (or, with dryRun, would do). Holds no secret value (see trustedSecrets). */
export function trustedResult(plan: TrustedSidePlan, dryRun: boolean): TrustedResult {
  const would = (done: "created") => (dryRun ? "would-create" : done);
  const key = plan.accessKey;
  const mfa = plan.mfa;
  const { made } = plan;
  return {
    account: plan.account,
    user: { name: plan.user, status: plan.userExists ? "exists" : would("created") },
    policy: {
      arn: plan.policy.arn,
      status: managedPolicyResult(plan.policy, dryRun).status,
      attached: plan.attach,
    },
    accessKey:
      key === undefined
        ? null
        : {
            status: key === "create" || "rotate" in key ? would("created") : "exists",
            accessKeyId: made.accessKeyId || (typeof key === "object" && "reuse" in key ? key.reuse : null),
            storedIn: made.keyStoredIn || null,
            replaces: typeof key === "object" && "rotate" in key ? key.rotate : null,
          },
    mfa:
      mfa === undefined
        ? null
        : {
            status: mfa === "create" || "resume" in mfa ? would("created") : "exists",
            serial: made.mfaSerial || (typeof mfa === "object" && "existing" in mfa ? mfa.existing : null),
            seedFile: made.seedFile || null,
          },
    notes: [...made.notes],
  };
}

/** The secret values this run saw: for --show-secrets, or to show once what is stored nowhere else. */
export function trustedSecrets(plan: TrustedSidePlan): TrustedSecrets {
  const { made } = plan;
  return {
    ...(made.secretAccessKey ? { secretAccessKey: made.secretAccessKey } : {}),
    ...(made.seed ? { seed: made.seed, otpauthUri: otpauthUri(made.seed, plan.user, plan.account) } : {}),
  };
}

/**
 * The key URI authenticator apps read. The label's "AWS:" prefix names the issuer (apps read it
 * as the issuer parameter); the parameter itself is left out, and the seed put last, so that the
 * QR code of a 64-character seed stays small enough for an 80×24 terminal.
 */
export function otpauthUri(seed: string, user: string, account: string): string {
  return `otpauth://totp/AWS:${encodeURIComponent(user).replace(/%40/g, "@")}@${account}?secret=${seed}`;
}
