import type { TrustedResult } from "../../../core/cross-account/trusted-side.js";
import type { CliContext } from "../../context.js";

// How the trusted side's result reads, and the MFA codes that enable a new device (shown on the
// terminal itself, prompted, or computed from the seed rolectl holds).

const human = (status: string) => status.replace("-", " ");
export { human };

export function describeTrusted(r: TrustedResult, next?: string): string {
  return [
    `trusted account ${r.account}`,
    `  policy      ${r.policy.arn} (${human(r.policy.status)}${r.policy.attached ? ", attached" : ""})`,
    `  user        ${r.user.name} (${human(r.user.status)})`,
    ...(r.accessKey
      ? [
          `  access key  ${r.accessKey.accessKeyId ?? "-"} (${human(r.accessKey.status)})`,
          ...(r.accessKey.secretAccessKey
            ? [`  secret key  ${r.accessKey.secretAccessKey}  (shown once)`]
            : []),
        ]
      : []),
    ...(r.mfa ? [`  MFA device  ${r.mfa.serial ?? "-"} (${human(r.mfa.status)})`] : []),
    ...(r.mfa?.seed ? [`  MFA secret  ${r.mfa.seed}  (shown once: add it to an authenticator app)`] : []),
    ...(r.mfa?.seedFile ? [`  MFA secret  written to ${r.mfa.seedFile} (0600)`] : []),
    ...(next ? ["Next, on the developer's machine:", `  ${next}`] : []),
  ].join("\n");
}

/** Secrets in a result must never reach stderr, even in an error message. */
export function guardSecrets(ctx: CliContext, r: TrustedResult): void {
  ctx.out.addSecret(r.accessKey?.secretAccessKey);
  ctx.out.addSecret(r.mfa?.seed);
}
