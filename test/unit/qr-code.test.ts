import { describe, expect, it } from "vitest";
import { otpauthUri } from "../../src/core/cross-account/trusted-side.js";
import { groupedInFours, qrLines, qrModules, qrWidth, qrWithText } from "../../src/io/qr-code.js";
import { scanQr } from "../support/scan-qr.js";

// AWS virtual MFA seeds are 64 base32 characters.
const SEED = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";
// biome-ignore lint/suspicious/noControlCharactersInRegex: stripping terminal escape codes
const plain = (s: string) => s.replace(/\u001b\[[0-9;]*m/g, "");

describe("the MFA QR code in a terminal", () => {
  it.each([
    ["alice", 23],
    ["firstname.lastname.x", 23], // a 20-character user name still fits 80×24 with the prompt
    ["ci+deploy=bot,team@corp.example", 25],
  ])("for user %s: a real decoder reads the key URI back; %i lines tall", (user, lines) => {
    const uri = otpauthUri(SEED, user, "123456789012");
    const drawn = qrLines(uri);
    expect(drawn).toHaveLength(lines);
    expect(scanQr(plain(drawn.join("\n")))).toBe(uri);
    expect(new URL(uri).searchParams.get("secret")).toBe(SEED);
  });

  it("is black on white with a 4-module quiet zone on every side", () => {
    const modules = qrModules(otpauthUri(SEED, "alice", "123456789012"));
    const size = modules.length;
    for (let i = 0; i < 4; i++) {
      expect(modules[i]?.some(Boolean)).toBe(false);
      expect(modules[size - 1 - i]?.some(Boolean)).toBe(false);
      expect(modules.some((row) => row[i] || row[size - 1 - i])).toBe(false);
    }
    expect(modules[4]?.[4]).toBe(true); // the top-left finder pattern starts right after it
    for (const line of qrLines("otpauth://totp/AWS:a@1?secret=ABC"))
      expect(line.startsWith("\x1b[38;5;16;48;5;231m") && line.endsWith("\x1b[0m")).toBe(true);
  });

  it("puts the text beside the code on an 80-column terminal, below it on a narrow one", () => {
    const uri = otpauthUri(SEED, "alice", "123456789012");
    const side = ["Scan with your authenticator app", "or type the secret key:"];
    const wide = plain(qrWithText(uri, side, 80)).split("\n");
    expect(wide).toHaveLength(qrLines(uri).length);
    expect(Math.max(...wide.map((l) => l.length))).toBeLessThanOrEqual(80);
    expect(wide[1]?.endsWith("  Scan with your authenticator app")).toBe(true);
    const narrow = plain(qrWithText(uri, side, 60)).split("\n");
    expect(narrow.slice(-2)).toEqual(side);
    expect(qrWidth(qrLines(uri))).toBe(45);
  });

  it("groups a secret in fours", () => {
    expect(groupedInFours("ABCDEFGHIJ")).toBe("ABCD EFGH IJ");
    expect(groupedInFours("ABCDEFGH")).toBe("ABCD EFGH");
  });
});
