import { createHmac } from "node:crypto";

// RFC 6238 TOTP (SHA-1, 6 digits, 30 s), as AWS virtual MFA devices use. node:crypto has the
// HMAC; a library would only add base32 decoding on top.

export const TOTP_PERIOD_SECONDS = 30;

export function base32Decode(input: string): Buffer {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  const clean = input.toUpperCase().replace(/[\s=-]/g, "");
  let bits = 0;
  let value = 0;
  const out: number[] = [];
  for (const ch of clean) {
    const idx = alphabet.indexOf(ch);
    if (idx < 0) throw new Error("not base32");
    value = (value << 5) | idx;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  if (out.length === 0) throw new Error("empty");
  return Buffer.from(out);
}

export const totpCounter = (nowMs: number): number => Math.floor(nowMs / 1000 / TOTP_PERIOD_SECONDS);

export function totpCode(secret: Buffer, counter: number): string {
  const msg = Buffer.alloc(8);
  msg.writeBigUInt64BE(BigInt(counter));
  const mac = createHmac("sha1", secret).update(msg).digest();
  const offset = (mac[mac.length - 1] ?? 0) & 0x0f;
  const binary = mac.readUInt32BE(offset) & 0x7fffffff;
  return String(binary % 1_000_000).padStart(6, "0");
}

/** Two consecutive codes from a seed (what EnableMFADevice takes), and the window of the second. */
export function consecutiveCodes(
  seed: string,
  nowMs: number,
): { codes: [string, string]; lastCounter: number } {
  const secret = base32Decode(seed);
  const counter = totpCounter(nowMs);
  return { codes: [totpCode(secret, counter), totpCode(secret, counter + 1)], lastCounter: counter + 1 };
}

/**
 * Whether two typed codes are consecutive codes of this seed near `nowMs` (a few windows either
 * way, for clock drift and slow typing). AWS refuses a wrong pair, so a slip is caught first.
 */
export function codesMatchSeed(seed: string, codes: [string, string], nowMs: number, windows = 4): boolean {
  const secret = base32Decode(seed);
  const now = totpCounter(nowMs);
  for (let c = now - windows; c <= now + windows; c++)
    if (totpCode(secret, c) === codes[0] && totpCode(secret, c + 1) === codes[1]) return true;
  return false;
}
