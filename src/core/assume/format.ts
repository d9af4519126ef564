import { malformedField, type SessionCredentials } from "../../shared/credentials.js";
import { internalError } from "../../shared/errors.js";

// How credentials are handed out. Pure string building, shared by the cache-hit fast path and
// the full CLI so both print exactly the same thing.

export const OUTPUT_FORMATS = ["export", "env", "fish", "powershell", "json", "credential-process"] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

export interface HandedOut {
  credentials: SessionCredentials;
  region?: string;
  assumedRoleArn?: string;
}

function variables(h: HandedOut): [string, string][] {
  const vars: [string, string][] = [
    ["AWS_ACCESS_KEY_ID", h.credentials.AccessKeyId],
    ["AWS_SECRET_ACCESS_KEY", h.credentials.SecretAccessKey],
    ["AWS_SESSION_TOKEN", h.credentials.SessionToken],
    ["AWS_CREDENTIAL_EXPIRATION", h.credentials.Expiration],
  ];
  if (h.region) vars.push(["AWS_REGION", h.region], ["AWS_DEFAULT_REGION", h.region]);
  return vars;
}

const shQuote = (v: string) => `'${v.replace(/'/g, `'\\''`)}'`;
// fish reads \\ and \' inside single quotes as escapes.
const fishQuote = (v: string) => `'${v.replace(/[\\']/g, "\\$&")}'`;

/**
 * Variables that would win over the keys in some tools: the JS SDK (so CDK and the Amplify CLI)
 * prefers AWS_PROFILE to static keys, and older tools read a stale AWS_SECURITY_TOKEN (boto's
 * name for the session token). The shell formats unset them (as `exec` drops them).
 */
const SHADOWING = ["AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SECURITY_TOKEN"];

/** Throws when credentials do not look like AWS's; never says what the values were. */
export function checkHandedOut(c: SessionCredentials): void {
  const bad = malformedField(c);
  if (bad)
    throw internalError(
      "aws_error",
      `The credentials to hand out have a malformed ${bad}; refusing to print them.`,
    );
}

export function formatCredentials(h: HandedOut, format: OutputFormat): string {
  checkHandedOut(h.credentials);
  switch (format) {
    case "export":
      return `unset ${SHADOWING.join(" ")}\n${variables(h)
        .map(([k, v]) => `export ${k}=${shQuote(v)}`)
        .join("\n")}\n`;
    case "env":
      return `${variables(h)
        .map(([k, v]) => `${k}=${v}`)
        .join("\n")}\n`;
    case "fish":
      return `${[
        ...SHADOWING.map((k) => `set -e ${k};`),
        ...variables(h).map(([k, v]) => `set -gx ${k} ${fishQuote(v)};`),
      ].join("\n")}\n`;
    case "powershell":
      return `${[
        ...SHADOWING.map((k) => `Remove-Item Env:${k} -ErrorAction SilentlyContinue`),
        ...variables(h).map(([k, v]) => `$Env:${k} = "${v.replace(/[`"$]/g, "`$&")}"`),
      ].join("\n")}\n`;
    case "json":
      return `${JSON.stringify(
        {
          ...h.credentials,
          // AWS's PascalCase, as in the credential_process document; keys always present.
          Region: h.region ?? null,
          AssumedRoleArn: h.assumedRoleArn ?? null,
        },
        null,
        2,
      )}\n`;
    case "credential-process":
      return `${JSON.stringify({ Version: 1, ...h.credentials })}\n`;
  }
}

/** Environment for a child process: the new credentials in, anything that could override them out. */
export function credentialEnvironment(
  base: Record<string, string | undefined>,
  h: HandedOut,
): Record<string, string> {
  const env: Record<string, string> = {};
  const drop = new Set([
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_SECURITY_TOKEN",
    "AWS_CREDENTIAL_EXPIRATION",
  ]);
  for (const [k, v] of Object.entries(base)) if (v !== undefined && !drop.has(k)) env[k] = v;
  for (const [k, v] of variables(h)) env[k] = v;
  return env;
}
