/** The process environment as rolectl reads it (passed in, never read from `process` below cli). */
export type Env = Record<string, string | undefined>;

/**
 * The profile the environment names, as botocore reads it: AWS_DEFAULT_PROFILE first, then
 * AWS_PROFILE (the JS SDK reads only AWS_PROFILE; see the README's design choices).
 */
export const profileFromEnv = (env: Env): string | undefined =>
  env.AWS_DEFAULT_PROFILE || env.AWS_PROFILE || undefined;

/** Variables that carry a secret meant for rolectl alone. */
const ROLECTL_SECRETS = ["ROLECTL_SECRET_ACCESS_KEY", "ROLECTL_MFA_CODE"];

/**
 * The environment for a child process (the command of `exec`, an mfa_process or
 * credential_process) without the secrets handed to rolectl: its own variables, and the one
 * --mfa-totp-secret-env names.
 */
export function withoutRolectlSecrets(env: Env, also: (string | undefined)[] = []): Record<string, string> {
  const drop = new Set([...ROLECTL_SECRETS, ...also.filter((n): n is string => !!n)]);
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined && !drop.has(k)) out[k] = v;
  return out;
}
