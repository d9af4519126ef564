import type { TrustedInput } from "../../../core/cross-account/inputs.js";
import type { EnableCodes } from "../../../core/cross-account/trusted-side.js";
import { otpauthUri } from "../../../core/cross-account/trusted-side.js";
import { validateMfaCode } from "../../../shared/validate.js";
import type { CliContext } from "../../context.js";

/** A person at a terminal is shown the seed (QR code) and types the codes from their app. */
export async function personSeesSeed(ctx: CliContext, t: TrustedInput): Promise<boolean> {
  if (ctx.nonInteractive || t.mfaCodes) return false;
  const { canPromptOnTty } = await import("../../../io/tty-prompt.js");
  return canPromptOnTty();
}

/**
 * The two consecutive codes that enable a new device: given (--mfa-codes), typed by a person who
 * scanned the QR code drawn on /dev/tty, or computed from the seed (automation, --mfa-seed-out).
 */
export function enableCodesFor(ctx: CliContext, t: TrustedInput, account: () => string): EnableCodes {
  return async (device) => {
    ctx.out.addSecret(device.seed);
    if (await personSeesSeed(ctx, t)) {
      // Shown on the terminal itself, never on stderr or in a log.
      const [{ qrWithText, groupedInFours }, { writeToTty, ttyColumns }] = await Promise.all([
        import("../../../io/qr-code.js"),
        import("../../../io/tty-prompt.js"),
      ]);
      const secretLines = groupedInFours(device.seed).match(/.{1,20}/g) ?? [];
      const side = [
        "Scan with your authenticator app",
        "or type the secret key:",
        "",
        ...secretLines.map((l) => l.trim()),
      ];
      writeToTty(`\n${qrWithText(otpauthUri(device.seed, t.user, account()), side, ttyColumns())}\n`);
    }
    if (t.mfaCodes) return t.mfaCodes;
    if (!ctx.nonInteractive && !t.mfaSeedOut) {
      const { codesMatchSeed } = await import("../../../core/assume/totp.js");
      // rolectl holds the seed: a mistyped pair is caught here and asked again, before AWS
      // (which refuses a wrong pair) sees it.
      for (let attempt = 1; ; attempt++) {
        const code1 = validateMfaCode(
          await ctx.prompter.secret({ message: "MFA code 1:", flag: "--mfa-codes" }),
          "MFA code 1",
        );
        const code2 = validateMfaCode(
          await ctx.prompter.secret({ message: "MFA code 2 (wait for the next one):", flag: "--mfa-codes" }),
          "MFA code 2",
        );
        if (codesMatchSeed(device.seed, [code1, code2], Date.now()) || attempt >= 3) return [code1, code2];
        ctx.out.warn(
          "Those are not two consecutive codes of this device: check that the app shows the account just scanned, and type two codes in a row.",
        );
      }
    }
    // Automation: compute two consecutive codes from the seed we hold, and remember the window.
    const [{ consecutiveCodes }, { fileTotpState }, { cacheDirFor }, { ensureCacheDir }] = await Promise.all([
      import("../../../core/assume/totp.js"),
      import("../../../cache/totp-state.js"),
      import("../../../cache/location.js"),
      import("../../../cache/store.js"),
    ]);
    const dir = cacheDirFor(ctx.env, ctx.home);
    await ensureCacheDir(dir);
    const codes = consecutiveCodes(device.seed, Date.now());
    await fileTotpState(dir).remember(device.serial, codes.lastCounter);
    return codes.codes;
  };
}
