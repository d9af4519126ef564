import type { TotpState } from "../../shared/credentials.js";
import type { Env } from "../../shared/env.js";
import { authError, configError } from "../../shared/errors.js";
import { validateMfaCode } from "../../shared/validate.js";
import { base32Decode, TOTP_PERIOD_SECONDS, totpCode, totpCounter } from "./totp.js";

// Where an MFA code comes from, in DESIGN.md's order: --mfa-code, ROLECTL_MFA_CODE, the
// profile's mfa_process, a TOTP seed in an environment variable, then the terminal.

export interface MfaRequest {
  serial: string;
  profile?: string;
  mfaProcess?: string;
}

export interface MfaSourceOptions {
  flagCode?: string;
  env: Env;
  totpSecretEnv?: string;
  /** A base32 seed held in memory (a device rolectl has just created). */
  totpSeed?: string;
  /** Runs mfa_process and returns its stdout. */
  runProcess(command: string): Promise<string>;
  /** Asks on the terminal; absent when nobody can answer. */
  prompt?: (request: MfaRequest) => Promise<string>;
  nonInteractiveReason?: string;
  totpState: TotpState;
  now(): number;
  sleep(ms: number): Promise<void>;
  /** Progress note (e.g. waiting for the next TOTP window); never contains the code. */
  notice(message: string): void;
}

export type MfaProvider = (request: MfaRequest) => Promise<string>;

export function createMfaProvider(options: MfaSourceOptions): MfaProvider {
  // A code from the flag or the environment can serve one AssumeRole only: AWS refuses reuse.
  let oneShot: { code: string; source: string } | undefined = options.flagCode
    ? { code: options.flagCode, source: "--mfa-code" }
    : options.env.ROLECTL_MFA_CODE
      ? { code: options.env.ROLECTL_MFA_CODE, source: "ROLECTL_MFA_CODE" }
      : undefined;

  return async (request) => {
    if (oneShot) {
      const { code, source } = oneShot;
      oneShot = undefined;
      return validateMfaCode(code, source);
    }
    if (request.mfaProcess) {
      let out: string;
      try {
        out = await options.runProcess(request.mfaProcess);
      } catch (err) {
        throw configError(
          "mfa_process_failed",
          `mfa_process of profile ${request.profile ?? "?"} failed: ${(err as Error).message}`,
          {
            hint: "Run the command by hand to see why; it must print the 6-digit code on stdout.",
          },
        );
      }
      return validateMfaCode(out, `mfa_process of profile ${request.profile ?? "?"}`);
    }
    if (options.totpSecretEnv)
      return totpFromSeed(request.serial, options.env[options.totpSecretEnv], options.totpSecretEnv, options);
    if (options.totpSeed)
      return totpFromSeed(request.serial, options.totpSeed, "the new device's seed", options);
    if (options.prompt) return validateMfaCode(await options.prompt(request), "the terminal");
    throw authError(
      "mfa_required",
      `An MFA code is needed for ${request.serial}${request.profile ? ` (profile ${request.profile})` : ""}.`,
      {
        hint:
          `rolectl cannot prompt (${options.nonInteractiveReason ?? "no terminal"}). Give the code with --mfa-code, ` +
          "ROLECTL_MFA_CODE, an mfa_process = <command> line in the profile, or --mfa-totp-secret-env NAME (a variable holding the device's base32 seed).",
      },
    );
  };
}

async function totpFromSeed(
  serial: string,
  seed: string | undefined,
  varName: string,
  options: MfaSourceOptions,
): Promise<string> {
  if (!seed) {
    throw configError(
      "mfa_seed_missing",
      `--mfa-totp-secret-env names ${varName}, but that variable is empty or unset.`,
    );
  }
  let secret: Buffer;
  try {
    secret = base32Decode(seed);
  } catch {
    // never echo the seed
    throw configError("mfa_seed_invalid", `The value of ${varName} is not a base32 MFA seed.`, {
      hint: "It should be the Base32StringSeed of the virtual MFA device (letters A-Z and digits 2-7).",
    });
  }
  let counter = totpCounter(options.now());
  const last = await options.totpState.lastCounter(serial);
  if (last === counter) {
    // AWS rejects a code that was already used: wait for the next window (at most one).
    const waitMs = Math.min(
      (counter + 1) * TOTP_PERIOD_SECONDS * 1000 - options.now() + 50,
      TOTP_PERIOD_SECONDS * 1000 + 50,
    );
    options.notice(
      `Waiting ${Math.ceil(waitMs / 1000)} s for a fresh MFA code (AWS rejects a code used twice).`,
    );
    await options.sleep(Math.max(0, waitMs));
    counter = Math.max(totpCounter(options.now()), last + 1);
  } else if (last !== undefined && last > counter) {
    // A window in this clock's future: the clock was set back, or the state is not ours.
    // Waiting for it could take hours; the code of now is the one AWS expects.
    options.notice(`The last MFA code used for ${serial} is dated ahead of this clock; ignoring that.`);
  }
  await options.totpState.remember(serial, counter);
  return totpCode(secret, counter);
}
