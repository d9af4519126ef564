import type { SourceCredentials } from "../../shared/credentials.js";
import { configError } from "../../shared/errors.js";

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
