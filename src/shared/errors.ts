/** Exit statuses, as documented in the README and DESIGN.md. */
export const ExitCode = {
  ok: 0,
  internal: 1,
  usage: 2,
  config: 3,
  auth: 4,
  conflict: 5,
  /** audit: a finding at or above --fail-on (not an error: the audit ran). */
  findings: 6,
  /** exec: the command is not executable / was not found (as a shell says). */
  notExecutable: 126,
  commandNotFound: 127,
  interrupted: 130,
} as const;

export type ExitCodeName = keyof typeof ExitCode;

/**
 * Every error code rolectl reports (`--json` shows it) and the one exit status it has. A code
 * that is not here does not compile, so a code can never exit 1 in one command and 4 in another.
 */
const KIND_OF = {
  // 2: usage, missing input, bad value
  usage: "usage",
  missing_input: "usage",
  invalid_value: "usage",
  invalid_mfa_code: "usage",
  invalid_policy: "usage",
  invalid_input: "usage",
  malformed_policy: "usage",
  policy_too_large: "usage",
  unreadable_file: "usage",
  confirmation_required: "usage",
  service_linked: "usage",
  not_service_linked: "usage",
  suffix_not_allowed: "usage",
  // 3: configuration, or something named does not exist
  config_parse: "config",
  config_unreadable: "config",
  config_unwritable: "config",
  config_invalid: "config",
  cache_unsafe: "config",
  credential_process_expired: "config",
  credential_process_failed: "config",
  credential_process_output: "config",
  mfa_process_failed: "config",
  mfa_seed_invalid: "config",
  mfa_seed_missing: "config",
  no_credentials: "config",
  no_role: "config",
  not_found: "config",
  profile_cycle: "config",
  profile_not_found: "config",
  region_disabled: "config",
  unsupported_source: "config",
  /** --verify was asked for but could not run (the result says why). */
  verify_skipped: "config",
  // 4: authentication
  access_denied: "auth",
  expired_token: "auth",
  invalid_credentials: "auth",
  request_expired: "auth",
  mfa_rejected: "auth",
  mfa_required: "auth",
  sso_login_denied: "auth",
  sso_login_expired: "auth",
  sso_login_required: "auth",
  web_identity_token: "auth",
  /** A proving AssumeRole was still denied after IAM's propagation delay. */
  verify_failed: "auth",
  // 5: conflict
  access_key_limit: "conflict",
  already_exists: "conflict",
  concurrent_modification: "conflict",
  delete_conflict: "conflict",
  deletion_failed: "conflict",
  limit_exceeded: "conflict",
  profile_conflict: "conflict",
  role_conflict: "conflict",
  role_path_differs: "conflict",
  unmodifiable: "conflict",
  /** Read back after a change, AWS holds something else (someone changed it meanwhile). */
  verify_mismatch: "conflict",
  // 1: internal, network, AWS failing
  internal: "internal",
  aws_error: "internal",
  lock_timeout: "internal",
  network: "internal",
  /** A call that creates something lost its answer: AWS may or may not have done it. */
  lost_answer: "internal",
  service_error: "internal",
  service_failure: "internal",
  throttled: "internal",
  timeout: "internal",
  // 126, 127: exec's command, as a shell reports it
  command_not_executable: "notExecutable",
  command_not_found: "commandNotFound",
  // 130
  interrupted: "interrupted",
} as const satisfies Record<string, ExitCodeName>;

export type ErrorCode = keyof typeof KIND_OF;
/** The codes that exit with a given status. */
export type CodeOf<K extends ExitCodeName> = {
  [C in ErrorCode]: (typeof KIND_OF)[C] extends K ? C : never;
}[ErrorCode];

export const kindOf = (code: ErrorCode): ExitCodeName => KIND_OF[code];

export interface RolectlErrorOptions {
  hint?: string;
  cause?: unknown;
  /** Structured facts for --json output (e.g. what still uses a role). */
  details?: unknown;
}

/**
 * The one error type. `code` is a stable machine-readable identifier (shown with --json) and
 * decides the exit status; `hint` tells the user what to do next.
 */
export class RolectlError extends Error {
  readonly code: ErrorCode;
  readonly hint: string | undefined;
  readonly details: unknown;

  constructor(code: ErrorCode, message: string, options: RolectlErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "RolectlError";
    this.code = code;
    this.hint = options.hint;
    this.details = options.details;
  }

  get kind(): ExitCodeName {
    return KIND_OF[this.code];
  }

  get exitCode(): number {
    return ExitCode[this.kind];
  }
}

export const usageError = (code: CodeOf<"usage">, message: string, options?: RolectlErrorOptions) =>
  new RolectlError(code, message, options);
export const configError = (code: CodeOf<"config">, message: string, options?: RolectlErrorOptions) =>
  new RolectlError(code, message, options);
export const authError = (code: CodeOf<"auth">, message: string, options?: RolectlErrorOptions) =>
  new RolectlError(code, message, options);
export const conflictError = (code: CodeOf<"conflict">, message: string, options?: RolectlErrorOptions) =>
  new RolectlError(code, message, options);
export const internalError = (code: CodeOf<"internal">, message: string, options?: RolectlErrorOptions) =>
  new RolectlError(code, message, options);

export function isRolectlError(err: unknown): err is RolectlError {
  return err instanceof RolectlError;
}

/** AWS's error code (e.g. "NoSuchEntity") behind a RolectlError mapped from an SDK error. */
export function awsErrorName(err: unknown): string | undefined {
  const cause = err instanceof RolectlError ? err.cause : err;
  if (typeof cause !== "object" || cause === null) return undefined;
  const { Code, name } = cause as { Code?: string; name?: string };
  // Some services put the suffix in the code too (STS: "ExpiredTokenException"): one spelling.
  return (Code ?? name)?.replace(/Exception$/, "");
}
