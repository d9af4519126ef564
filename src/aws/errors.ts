import { type ErrorCode, RolectlError } from "../shared/errors.js";

// Turns SDK and network errors into RolectlErrors with a hint. AWS's own message is kept:
// it names the entity and the rule far better than we could guess.

export interface AwsCallContext {
  /** e.g. "iam:CreateRole" */
  operation?: string;
  endpoint?: string;
  profile?: string;
}

interface SdkErrorShape {
  name?: string;
  Code?: string;
  code?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
}

interface Mapping {
  code: ErrorCode;
  hint: (ctx: AwsCallContext) => string | undefined;
}

const whoCanFix = (ctx: AwsCallContext) =>
  `The credentials in use${ctx.profile ? ` (profile ${ctx.profile})` : ""} may lack permission${ctx.operation ? ` for ${ctx.operation}` : ""}; check them with \`rolectl whoami\`.`;

const MAPPINGS: Record<string, Mapping> = {
  AccessDenied: {
    code: "access_denied",
    hint: (ctx) =>
      ctx.operation === "sts:AssumeRole"
        ? "The role's trust policy did not allow this call: check that the caller is trusted, the external id matches, and the MFA code is current and not already used."
        : whoCanFix(ctx),
  },
  AccessDeniedException: { code: "access_denied", hint: whoCanFix },
  ExpiredToken: {
    code: "expired_token",
    hint: (ctx) =>
      `The session credentials${ctx.profile ? ` of profile ${ctx.profile}` : ""} have expired; get fresh ones (e.g. \`rolectl assume --refresh\`).`,
  },
  ExpiredTokenException: {
    code: "expired_token",
    hint: () => "The session credentials have expired; get fresh ones.",
  },
  RequestExpired: {
    code: "request_expired",
    hint: () => "Check that this machine's clock is correct.",
  },
  InvalidClientTokenId: {
    code: "invalid_credentials",
    hint: (ctx) =>
      `The access key is not valid${ctx.profile ? ` (profile ${ctx.profile})` : ""}; it may have been deleted or mistyped.`,
  },
  UnrecognizedClientException: {
    code: "invalid_credentials",
    hint: () => "The access key is not valid.",
  },
  SignatureDoesNotMatch: {
    code: "invalid_credentials",
    hint: () => "The secret access key does not match the access key id; check the credentials file.",
  },
  InvalidIdentityToken: { code: "invalid_credentials", hint: () => undefined },
  NoSuchEntity: {
    code: "not_found",
    hint: () => "Check the name; IAM names are case-sensitive.",
  },
  NotFoundException: { code: "not_found", hint: () => "Check the id and the region." },
  EntityAlreadyExists: { code: "already_exists", hint: () => undefined },
  DeleteConflict: {
    code: "delete_conflict",
    hint: () => "Something still uses or is attached to it; remove that first.",
  },
  ConcurrentModification: {
    code: "concurrent_modification",
    hint: () => "Another change to the same entity was in progress; run the command again.",
  },
  LimitExceeded: {
    code: "limit_exceeded",
    hint: () =>
      "An IAM quota was reached (e.g. 10 managed policies per role, 5 policy versions, 2 access keys per user).",
  },
  UnmodifiableEntity: {
    code: "unmodifiable",
    hint: () => "Service-linked roles are managed by their service; only the description can change.",
  },
  MalformedPolicyDocument: {
    code: "malformed_policy",
    hint: () => "Check the policy's JSON, principals and ARNs; principals must exist.",
  },
  InvalidInput: { code: "invalid_input", hint: () => undefined },
  ValidationError: { code: "invalid_input", hint: () => undefined },
  BadRequestException: { code: "invalid_input", hint: () => undefined },
  RegionDisabledException: {
    code: "region_disabled",
    hint: () => "STS is not activated in this region for the account; use --region with an enabled region.",
  },
  PackedPolicyTooLarge: { code: "invalid_input", hint: () => undefined },
  Throttling: {
    code: "throttled",
    hint: () =>
      "AWS kept throttling after the retries; wait a little and run again, or raise AWS_MAX_ATTEMPTS.",
  },
  ThrottlingException: {
    code: "throttled",
    hint: () =>
      "AWS kept throttling after the retries; wait a little and run again, or raise AWS_MAX_ATTEMPTS.",
  },
  ServiceFailure: {
    code: "service_failure",
    hint: () => "AWS had an internal error; run again.",
  },
};

const NETWORK_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ENOTFOUND",
  "EAI_AGAIN",
  "ETIMEDOUT",
  "EPIPE",
  "EHOSTUNREACH",
]);

export function mapAwsError(err: unknown, ctx: AwsCallContext = {}): RolectlError {
  if (err instanceof RolectlError) return err;
  const e = (err ?? {}) as SdkErrorShape;
  // Query-protocol errors carry AWS's code in `Code` ("NoSuchEntity") and the SDK class in
  // `name` ("NoSuchEntityException").
  const name = e.Code ?? e.name ?? "Error";
  const message = (e.message ?? String(err)).trim();
  const where = ctx.operation ? `${ctx.operation}: ` : "";

  const mapping = MAPPINGS[name] ?? MAPPINGS[name.replace(/Exception$/, "")];
  if (mapping) {
    const hint = mapping.hint(ctx);
    return new RolectlError(mapping.code, `${where}${message}`, {
      cause: err,
      ...(hint ? { hint } : {}),
    });
  }
  if (name === "CredentialsProviderError" || /Could not load credentials/i.test(message)) {
    const mfa = /multi-factor|mfa/i.test(message);
    return new RolectlError(mfa ? "mfa_required" : "no_credentials", message, {
      cause: err,
      hint: mfa
        ? "This profile needs an MFA code; use `rolectl assume --profile NAME` to get credentials first."
        : "Set AWS_PROFILE or --profile, or export AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY.",
    });
  }
  const netCode = e.code ?? (err as { cause?: { code?: string } })?.cause?.code;
  if ((netCode && NETWORK_CODES.has(netCode)) || name === "TimeoutError") {
    return new RolectlError(
      "network",
      `${where}cannot reach ${ctx.endpoint ?? "AWS"}: ${netCode ?? message}`,
      {
        cause: err,
        hint: "Check the network, --endpoint-url and AWS_ENDPOINT_URL*.",
      },
    );
  }
  const status = e.$metadata?.httpStatusCode;
  if (status && status >= 500) {
    return new RolectlError("service_error", `${where}AWS answered ${status}: ${message}`, {
      cause: err,
      hint: "The service had a problem after the retries; run again.",
    });
  }
  return new RolectlError("aws_error", `${where}${name}: ${message}`, { cause: err });
}

/**
 * "Already exists" from a retry of a create whose first answer was lost: the first attempt most
 * likely made it. The caller reads the entity back instead of reporting a conflict.
 */
export function existsAfterRetry(err: unknown): boolean {
  if (!(err instanceof RolectlError) || err.code !== "already_exists") return false;
  const attempts = (err.cause as { $metadata?: { attempts?: number } } | undefined)?.$metadata?.attempts ?? 1;
  return attempts > 1;
}
