import type { SourceCredentials } from "../../shared/credentials.js";
import { configError } from "../../shared/errors.js";

const ISO_8601 = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

/** Parses credential_process output (Version 1 JSON, as the AWS CLI and SDKs expect it). */
export function parseProcessCredentials(stdout: string, profile: string): SourceCredentials {
  let doc: Record<string, unknown>;
  try {
    doc = JSON.parse(stdout) as Record<string, unknown>;
  } catch {
    throw configError(
      "credential_process_output",
      `credential_process of profile ${profile} did not print JSON.`,
    );
  }
  if (doc.Version !== 1 || typeof doc.AccessKeyId !== "string" || typeof doc.SecretAccessKey !== "string") {
    throw configError(
      "credential_process_output",
      `credential_process of profile ${profile} printed JSON without Version 1, AccessKeyId and SecretAccessKey.`,
    );
  }
  // botocore accepts only an ISO 8601 time; "soon" or an epoch number is not "never expires".
  if (
    doc.Expiration !== undefined &&
    doc.Expiration !== null &&
    (typeof doc.Expiration !== "string" ||
      !ISO_8601.test(doc.Expiration) ||
      Number.isNaN(Date.parse(doc.Expiration)))
  ) {
    throw configError(
      "credential_process_output",
      `credential_process of profile ${profile} printed an Expiration that is not an ISO 8601 time: ${JSON.stringify(doc.Expiration)}.`,
      {
        hint: 'Print it like "2030-01-01T00:00:00Z", or leave Expiration out for credentials that do not expire.',
      },
    );
  }
  if (typeof doc.Expiration === "string" && Date.parse(doc.Expiration) < Date.now()) {
    throw configError(
      "credential_process_expired",
      `credential_process of profile ${profile} returned expired credentials.`,
    );
  }
  return {
    accessKeyId: doc.AccessKeyId,
    secretAccessKey: doc.SecretAccessKey,
    ...(typeof doc.SessionToken === "string" && doc.SessionToken ? { sessionToken: doc.SessionToken } : {}),
  };
}
