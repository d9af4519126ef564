/** The process environment as rolectl reads it (passed in, never read from `process` below cli). */
export type Env = Record<string, string | undefined>;

/**
 * The profile the environment names, as botocore reads it: AWS_DEFAULT_PROFILE first, then
 * AWS_PROFILE (the JS SDK reads only AWS_PROFILE; see the README's design choices).
 */
export const profileFromEnv = (env: Env): string | undefined =>
  env.AWS_DEFAULT_PROFILE || env.AWS_PROFILE || undefined;
