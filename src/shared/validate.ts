import { usageError } from "./errors.js";
import { scanJson } from "./json-scan.js";

// Limits and patterns come from the IAM/STS API reference (see shared/AWS-FACTS.md).
// Every validator returns the (normalised) value or throws a usage error that names
// the value, where it came from, and the rule it broke.

const PARTITION = "(aws|aws-cn|aws-us-gov)";
const NAME_CHARS = "[\\w+=,.@-]";

/** Shows a value in a message without flooding the terminal with a 10 KB string. */
export function quoteValue(value: string, max = 60): string {
  const shown = value.length > max ? `${value.slice(0, max)}… (${value.length} chars)` : value;
  return JSON.stringify(shown);
}

function fail(what: string, value: string, source: string | undefined, rule: string): never {
  const from = source ? ` (${source})` : "";
  throw usageError("invalid_value", `Invalid ${what} ${quoteValue(value)}${from}: ${rule}.`);
}

function checkName(what: string, max: number, value: string, source?: string): string {
  if (value.length < 1 || value.length > max || !new RegExp(`^${NAME_CHARS}+$`).test(value)) {
    fail(what, value, source, `must be 1-${max} characters from letters, digits and + = , . @ _ -`);
  }
  return value;
}

export const validateRoleName = (value: string, source?: string) => checkName("role name", 64, value, source);
export const validateUserName = (value: string, source?: string) => checkName("user name", 64, value, source);
export const validateProfileName = (value: string, source?: string) =>
  checkName("profile name", 64, value, source);
export const validatePolicyName = (value: string, source?: string) =>
  checkName("policy name", 128, value, source);

/** An AWS region name: lower-case letters and digits in hyphen-joined words (us-east-1, us-gov-west-1). */
export const REGION_PATTERN = /^[a-z0-9]+(-[a-z0-9]+)*$/;

export function validateRegion(value: string, source?: string): string {
  if (value.length > 32 || !REGION_PATTERN.test(value))
    fail("region", value, source, "must look like us-east-1 (lower-case letters, digits and hyphens)");
  return value;
}

/** The first [source, value] pair that has a value: the value, and where it came from. */
export function firstGiven(
  pairs: readonly (readonly [string, string | undefined])[],
): [string, string] | undefined {
  const found = pairs.find(([, value]) => value);
  return found ? [found[0], found[1] as string] : undefined;
}

/**
 * The region with the AWS CLI's precedence (--region, AWS_REGION, AWS_DEFAULT_REGION, the
 * profile's), checked, and named by its source in the error: it ends up in URLs, files and
 * shell output.
 */
export function resolveRegion(o: {
  flag?: string | undefined;
  env: Record<string, string | undefined>;
  profileRegion?: string | undefined;
  profileLabel: string;
}): string | undefined {
  const found = firstGiven([
    ["--region", o.flag],
    ["AWS_REGION", o.env.AWS_REGION],
    ["AWS_DEFAULT_REGION", o.env.AWS_DEFAULT_REGION],
    [o.profileLabel, o.profileRegion],
  ]);
  return found && validateRegion(found[1], found[0]);
}

export function validatePath(value: string, source?: string): string {
  if (value.length > 512 || !/^(\/|\/[\x21-\x7E]+\/)$/.test(value)) {
    fail(
      "path",
      value,
      source,
      'must be "/" or start and end with "/" (e.g. /team/), at most 512 characters',
    );
  }
  return value;
}

export function validateAccountId(value: string, source?: string): string {
  if (!/^\d{12}$/.test(value)) fail("account id", value, source, "must be exactly 12 digits");
  return value;
}

export interface RoleArn {
  partition: string;
  accountId: string;
  path: string;
  name: string;
  arn: string;
}

export function parseRoleArn(value: string, source?: string): RoleArn {
  const m = new RegExp(
    `^arn:${PARTITION}:iam::(\\d{12}):role(/(?:[\\x21-\\x7E]*/)?)?(${NAME_CHARS}{1,64})$`,
  ).exec(value);
  if (!m?.[1] || !m[2] || !m[4]) {
    fail(
      "role ARN",
      value,
      source,
      "must look like arn:aws:iam::123456789012:role/NAME (partition aws, aws-cn or aws-us-gov; 12-digit account)",
    );
  }
  return { partition: m[1], accountId: m[2], path: m[3] ?? "/", name: m[4], arn: value };
}

export function validatePolicyArn(value: string, source?: string): string {
  if (
    !new RegExp(`^arn:${PARTITION}:iam::(aws|\\d{12}):policy/([\\x21-\\x7E]*/)?${NAME_CHARS}{1,128}$`).test(
      value,
    )
  ) {
    fail(
      "policy ARN",
      value,
      source,
      "must look like arn:aws:iam::aws:policy/NAME or arn:aws:iam::123456789012:policy/NAME",
    );
  }
  return value;
}

export function validateMfaSerial(value: string, source?: string): string {
  if (value.startsWith("arn:")) {
    if (!new RegExp(`^arn:${PARTITION}:iam::\\d{12}:mfa/[\\w+=,.@/-]{1,256}$`).test(value)) {
      fail(
        "MFA serial",
        value,
        source,
        "a virtual device ARN must look like arn:aws:iam::123456789012:mfa/NAME",
      );
    }
  } else if (!/^[\w+=/:,.@-]{9,256}$/.test(value)) {
    fail(
      "MFA serial",
      value,
      source,
      "a hardware serial must be 9-256 characters from letters, digits and +=/:,.@_-",
    );
  }
  return value;
}

/** MFA codes are secrets: the message never repeats the value. */
export function validateMfaCode(value: string, source?: string): string {
  const code = value.trim();
  if (!/^\d{6}$/.test(code)) {
    const from = source ? ` (${source})` : "";
    throw usageError("invalid_mfa_code", `Invalid MFA code${from}: must be exactly 6 digits.`, {
      hint: "Use the current code shown by the MFA device or authenticator app.",
    });
  }
  return code;
}

export function validateSessionName(value: string, source?: string): string {
  if (value.length < 2 || value.length > 64 || !new RegExp(`^${NAME_CHARS}*$`).test(value)) {
    fail(
      "role session name",
      value,
      source,
      "must be 2-64 characters from letters, digits and + = , . @ _ -",
    );
  }
  return value;
}

export function validateExternalId(value: string, source?: string): string {
  if (value.length < 2 || value.length > 1224 || !/^[\w+=,.@:/-]*$/.test(value)) {
    fail(
      "external id",
      value,
      source,
      "must be 2-1224 characters from letters, digits and + = , . @ : / _ -",
    );
  }
  return value;
}

const DURATION_UNITS: Record<string, number> = { s: 1, m: 60, h: 3600 };

/** Accepts seconds ("3600") or a unit suffix ("15m", "1h", "90s"). */
export function parseDuration(
  value: string,
  source?: string,
  min = 900,
  max = 43200,
  what = "duration",
): number {
  const m = /^(\d+)([smh]?)$/.exec(value.trim());
  const seconds = m?.[1] ? Number(m[1]) * (DURATION_UNITS[m[2] || "s"] ?? 1) : Number.NaN;
  if (!Number.isSafeInteger(seconds) || seconds < min || seconds > max) {
    fail(what, value, source, `must be a whole number of seconds (or 15m, 1h) from ${min} to ${max}`);
  }
  return seconds;
}

export const parseMaxSessionDuration = (value: string, source?: string) =>
  parseDuration(value, source, 3600, 43200, "max session duration");

export function validateDescription(value: string, source?: string): string {
  if (value.length < 1 || value.length > 1000) {
    fail("description", value, source, "must be 1-1000 characters");
  }
  if (!/^[\t\n\r\x20-\x7E\xA1-\xFF]*$/.test(value)) {
    fail("description", value, source, "may contain only printable Latin-1 characters, tabs and newlines");
  }
  return value;
}

/** A service principal; the short form "connect" expands to "connect.amazonaws.com". */
export function normaliseServicePrincipal(value: string, source?: string): string {
  const full = /^[a-z0-9][a-z0-9-]*$/.test(value) ? `${value}.amazonaws.com` : value;
  if (!/^[a-z0-9][a-z0-9.-]*\.amazonaws\.com(\.cn)?$/.test(full) || full.length > 128) {
    fail(
      "service",
      value,
      source,
      "must be a service principal such as connect.amazonaws.com (or just connect)",
    );
  }
  return full;
}

export function validateAmplifyAppId(value: string, source?: string): string {
  if (!/^d[a-z0-9]{1,19}$/.test(value)) {
    fail(
      "Amplify app id",
      value,
      source,
      'must be "d" followed by lower-case letters and digits (e.g. d1a2b3c4d5e6f7)',
    );
  }
  return value;
}

export interface Tag {
  Key: string;
  Value: string;
}

export function parseTag(value: string, source?: string): Tag {
  const eq = value.indexOf("=");
  const key = eq < 0 ? value : value.slice(0, eq);
  const tagValue = eq < 0 ? "" : value.slice(eq + 1);
  if (eq < 0 || key.length < 1 || key.length > 128 || tagValue.length > 256 || key.startsWith("aws:")) {
    fail(
      "tag",
      value,
      source,
      "must be KEY=VALUE with a 1-128 character key (not starting aws:) and a value up to 256",
    );
  }
  if (!/^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u.test(key + tagValue)) {
    fail("tag", value, source, "may contain only letters, digits, spaces and _ . : / = + - @");
  }
  return { Key: key, Value: tagValue };
}

/** Repeated --tag values: each checked, at most IAM's 50, and no key twice (IAM compares keys case-insensitively). */
export function parseTags(values: string[], source: string): Tag[] {
  const tags = values.map((t) => parseTag(t, source));
  if (tags.length > 50)
    throw usageError(
      "invalid_value",
      `Too many tags (${source}): ${tags.length}; IAM allows at most 50 on a role.`,
    );
  const seen = new Map<string, string>();
  for (const t of tags) {
    const first = seen.get(t.Key.toLowerCase());
    if (first !== undefined)
      throw usageError(
        "invalid_value",
        `Duplicate tag key ${JSON.stringify(t.Key)} (${source})${first !== t.Key ? `, the same as ${JSON.stringify(first)} to IAM` : ""}: give each key once.`,
      );
    seen.set(t.Key.toLowerCase(), t.Key);
  }
  return tags;
}

export interface PolicyDocument {
  Version?: string;
  Id?: string;
  Statement: PolicyStatement[] | PolicyStatement;
}

export type PolicyStatement = Record<string, unknown>;

/**
 * Checks that text is an IAM policy document: JSON, an object with Statement(s) that each
 * have Effect Allow/Deny and an Action/NotAction. `maxChars` is AWS's limit for the kind of
 * policy (2048 for a trust policy by default, 6144 for a managed policy, 10240 inline), counted
 * without whitespace as IAM does.
 */
export function parsePolicyDocument(text: string, source: string, maxChars = 6144): PolicyDocument {
  const body = text.replace(/^\uFEFF/, "");
  scanJson(body, `Policy document ${source}`);
  let doc: unknown;
  try {
    doc = JSON.parse(body);
  } catch (err) {
    throw usageError(
      "invalid_policy",
      `Policy document ${source} is not valid JSON: ${(err as Error).message}.`,
    );
  }
  const bad = (rule: string): never => {
    throw usageError("invalid_policy", `Policy document ${source} is not an IAM policy: ${rule}.`, {
      hint: 'A policy looks like {"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}',
    });
  };
  if (typeof doc !== "object" || doc === null || Array.isArray(doc))
    bad("the top level must be a JSON object");
  const obj = doc as Record<string, unknown>;
  if (obj.Version !== undefined && obj.Version !== "2012-10-17" && obj.Version !== "2008-10-17") {
    bad('Version must be "2012-10-17"');
  }
  const statements = Array.isArray(obj.Statement)
    ? obj.Statement
    : obj.Statement === undefined
      ? []
      : [obj.Statement];
  if (statements.length === 0) bad("it needs a Statement");
  for (const [i, s] of statements.entries()) {
    if (typeof s !== "object" || s === null || Array.isArray(s)) bad(`Statement ${i + 1} must be an object`);
    const st = s as Record<string, unknown>;
    if (st.Effect !== "Allow" && st.Effect !== "Deny")
      bad(`Statement ${i + 1} needs "Effect": "Allow" or "Deny"`);
    if (st.Action === undefined && st.NotAction === undefined)
      bad(`Statement ${i + 1} needs Action or NotAction`);
  }
  const size = policySize(doc);
  if (size > maxChars) {
    throw usageError(
      "policy_too_large",
      `Policy document ${source} is ${size} characters without whitespace; IAM allows at most ${maxChars} here.`,
      { hint: "Split it into several policies, or use wildcards to shorten action lists." },
    );
  }
  return obj as unknown as PolicyDocument;
}

/** A policy's size as IAM counts it: characters of its JSON without whitespace. */
export const policySize = (doc: unknown): number => JSON.stringify(doc).replace(/\s/g, "").length;

/** CustomSuffix of a service-linked role: 1-64 name characters. */
export function validateRoleSuffix(value: string, source?: string): string {
  if (value.length < 1 || value.length > 64 || !new RegExp(`^${NAME_CHARS}+$`).test(value)) {
    fail("suffix", value, source, "must be 1-64 characters from letters, digits and + = , . @ _ -");
  }
  return value;
}

export function validateDeletionTaskId(value: string, source?: string): string {
  if (value.length < 1 || value.length > 1000 || !/^[\w+=,.@:/-]+$/.test(value)) {
    fail(
      "deletion task id",
      value,
      source,
      "must be the id printed by `rolectl slr delete --no-wait` (task/aws-service-role/…)",
    );
  }
  return value;
}

/** A whole number of seconds within [min, max] (timeouts, intervals). */
export function parseSeconds(value: string, source: string, min: number, max: number): number {
  const n = /^\d+$/.test(value.trim()) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    fail("number of seconds", value, source, `must be a whole number from ${min} to ${max}`);
  }
  return n;
}

/** An IAM access key id: 16-128 upper-case letters and digits (AKIA…, ASIA…). */
export function validateAccessKeyId(value: string, source?: string): string {
  if (!/^[A-Z0-9]{16,128}$/.test(value)) {
    // Not echoed: the usual slip is passing the secret key here.
    const from = source ? ` (${source})` : "";
    throw usageError(
      "invalid_value",
      `Invalid access key id${from} (${value.length} characters, not shown): must be 16-128 upper-case letters and digits, as IAM shows them (AKIA and 16 more).`,
      { hint: "The secret key goes in ROLECTL_SECRET_ACCESS_KEY (or at the prompt), never in a flag." },
    );
  }
  return value;
}

/** A URL as it may be shown: a user and password in it (https://user:pass@host) become ****. */
export const redactUrl = (url: string): string =>
  url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@\s]*@/i, "$1****@");
