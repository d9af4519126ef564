/** Exit statuses, as documented in the README and DESIGN.md. */
export const ExitCode = {
  ok: 0,
  internal: 1,
  usage: 2,
  config: 3,
  auth: 4,
  conflict: 5,
  interrupted: 130,
} as const;

export type ExitCodeName = keyof typeof ExitCode;

export interface RolectlErrorOptions {
  hint?: string;
  cause?: unknown;
  /** Structured facts for --json output (e.g. what still uses a role). */
  details?: unknown;
}

/**
 * The one error type. `code` is a stable machine-readable identifier (shown with --json),
 * `kind` decides the exit status, `hint` tells the user what to do next.
 */
export class RolectlError extends Error {
  readonly code: string;
  readonly kind: ExitCodeName;
  readonly hint: string | undefined;
  readonly details: unknown;

  constructor(kind: ExitCodeName, code: string, message: string, options: RolectlErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "RolectlError";
    this.kind = kind;
    this.code = code;
    this.hint = options.hint;
    this.details = options.details;
  }

  get exitCode(): number {
    return ExitCode[this.kind];
  }
}

export const usageError = (code: string, message: string, options?: RolectlErrorOptions) =>
  new RolectlError("usage", code, message, options);
export const configError = (code: string, message: string, options?: RolectlErrorOptions) =>
  new RolectlError("config", code, message, options);
export const authError = (code: string, message: string, options?: RolectlErrorOptions) =>
  new RolectlError("auth", code, message, options);
export const conflictError = (code: string, message: string, options?: RolectlErrorOptions) =>
  new RolectlError("conflict", code, message, options);

export function isRolectlError(err: unknown): err is RolectlError {
  return err instanceof RolectlError;
}

/** AWS's error code (e.g. "NoSuchEntity") behind a RolectlError mapped from an SDK error. */
export function awsErrorName(err: unknown): string | undefined {
  const cause = err instanceof RolectlError ? err.cause : err;
  if (typeof cause !== "object" || cause === null) return undefined;
  const { Code, name } = cause as { Code?: string; name?: string };
  return Code ?? name?.replace(/Exception$/, "");
}
