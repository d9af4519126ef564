import { credentialsSection, type Keys, keysFor } from "./accounts.js";
import type { E2eEnv } from "./env.js";

// Seed 001's cast, shared by the suites that run `cross-account setup`: Biz Corp trusts, Dev
// Corp's devcorpuser assumes, each side run by an admin profile.

export const BIZ = "111111111111";
export const DEV = "222222222222";

/** The write calls of a fresh `setup`, in the order of its plan (role; policy, user, device, key). */
export const SETUP_WRITES = [
  "CreateRole",
  "AttachRolePolicy",
  "CreatePolicy",
  "CreateUser",
  "AttachUserPolicy",
  "CreateVirtualMFADevice",
  "EnableMFADevice",
  "CreateAccessKey",
] as const;

/** `cross-account setup` for BizCorpRole / devcorpuser, non-interactive; add permissions and the rest. */
export const setupArgs = (...rest: string[]): string[] => [
  "cross-account",
  "setup",
  "--no-input",
  "--trusting-profile",
  "bizadmin",
  "--trusted-profile",
  "devadmin",
  "--role-name",
  "BizCorpRole",
  "--external-id",
  "Ext-1234567890",
  "--require-mfa",
  "--user",
  "devcorpuser",
  "--create-access-key",
  "--mfa",
  "--mfa-codes",
  "123456,654321",
  ...rest,
];

/** Admin keys in both accounts (moto keys by account), written as [bizadmin] and [devadmin]. */
export async function twoAdmins(env: E2eEnv): Promise<{ biz: Keys; dev: Keys }> {
  const biz = await keysFor(env.moto.url, BIZ);
  const dev = await keysFor(env.moto.url, DEV);
  env.sandbox.writeCredentials(
    `${credentialsSection("bizadmin", biz)}\n${credentialsSection("devadmin", dev)}`,
  );
  env.proxy.reset();
  return { biz, dev };
}
