import { createHash } from "node:crypto";
import { promises as fsp } from "node:fs";
import { join } from "node:path";
import { writeFileAtomic } from "../fs/atomic.js";
import { makeDirs } from "../fs/dirs.js";
import { readPrivateFile } from "../fs/private-file.js";
import type { SsoToken } from "../shared/credentials.js";

// The IAM Identity Center token cache the AWS CLI and the SDKs share: one JSON file per
// sso-session (or, for a legacy profile, per start URL) in ~/.aws/sso/cache, named by the SHA-1
// of that name, with their field names. rolectl reads what `aws sso login` wrote and writes what
// botocore reads, keeping any field it does not know.

export const ssoCacheDir = (home: string): string => join(home, ".aws", "sso", "cache");

/** The file for a session name (or a legacy profile's start URL). */
export const ssoTokenPath = (dir: string, sessionOrStartUrl: string): string =>
  join(dir, `${createHash("sha1").update(sessionOrStartUrl, "utf8").digest("hex")}.json`);

const MAX_BYTES = 64 * 1024;

/** The cached token; undefined when absent, unreadable, someone else's or not a token. */
export function readSsoToken(path: string): SsoToken | undefined {
  const text = readPrivateFile(path, MAX_BYTES);
  if (text === undefined || text === "untrusted") return undefined;
  try {
    const doc = JSON.parse(text) as Record<string, unknown>;
    // Older botocore wrote times as "…T00:00:00UTC", which Date.parse does not take.
    const str = (k: string) =>
      typeof doc[k] === "string" && doc[k]
        ? k.endsWith("xpiresAt")
          ? (doc[k] as string).replace(/UTC$/, "Z")
          : (doc[k] as string)
        : undefined;
    const accessToken = str("accessToken");
    const expiresAt = str("expiresAt");
    if (!accessToken || !expiresAt || Number.isNaN(Date.parse(expiresAt))) return undefined;
    const optional = [
      "startUrl",
      "region",
      "refreshToken",
      "clientId",
      "clientSecret",
      "registrationExpiresAt",
      "rolectlRegistration",
    ];
    return {
      accessToken,
      expiresAt,
      ...Object.fromEntries(optional.flatMap((k) => (str(k) ? [[k, str(k)]] : []))),
    };
  } catch {
    return undefined;
  }
}

/** Writes the token (0600, atomically), over the fields of the file already there. */
export async function writeSsoToken(path: string, token: SsoToken): Promise<void> {
  const dir = join(path, "..");
  await makeDirs(dir, 0o700);
  let previous: Record<string, unknown> = {};
  const text = readPrivateFile(path, MAX_BYTES);
  if (text && text !== "untrusted") {
    try {
      previous = JSON.parse(text) as Record<string, unknown>;
    } catch {
      // replaced whole
    }
  }
  // A field the new token lacks is dropped, not kept from the old one: a sign-in without a
  // refresh token must not leave the previous sign-in's refresh token beside it.
  for (const key of ["refreshToken", "rolectlRegistration"] as const)
    if (!(key in token)) delete previous[key];
  await writeFileAtomic(path, `${JSON.stringify({ ...previous, ...token }, null, 2)}\n`, 0o600);
}

export async function removeSsoToken(path: string): Promise<boolean> {
  return fsp.unlink(path).then(
    () => true,
    (err: NodeJS.ErrnoException) => {
      if (err.code === "ENOENT") return false;
      throw err;
    },
  );
}

/** botocore's timestamp form for expiresAt: UTC, whole seconds. */
export const tokenTime = (ms: number): string => `${new Date(ms).toISOString().slice(0, 19)}Z`;
