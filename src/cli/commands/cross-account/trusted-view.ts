import type {
  TrustedResult,
  TrustedSecrets,
  TrustedSidePlan,
} from "../../../core/cross-account/trusted-side.js";
import { isRolectlError, RolectlError } from "../../../shared/errors.js";
import type { CliContext } from "../../context.js";

// How the trusted side's result reads. A secret value is printed only when rolectl's ledger is
// the one place that holds it (the user named no file for it), and never in --json unless asked.

const human = (status: string) => status.replace("-", " ");
export { human };

export function describeTrusted(
  r: TrustedResult,
  o: { secrets: TrustedSecrets; ledgerPath: string; next?: string },
): string {
  const keyOnlyInLedger = r.accessKey?.storedIn === o.ledgerPath;
  return [
    `trusted account ${r.account}`,
    `  policy      ${r.policy.arn} (${human(r.policy.status)}${r.policy.attached ? ", attached" : ""})`,
    `  user        ${r.user.name} (${human(r.user.status)})`,
    ...(r.mfa ? [`  MFA device  ${r.mfa.serial ?? "-"} (${human(r.mfa.status)})`] : []),
    ...(r.mfa?.seedFile ? [`  MFA secret  in ${r.mfa.seedFile} (0600)`] : []),
    ...(r.accessKey
      ? [
          `  access key  ${r.accessKey.accessKeyId ?? "-"} (${human(r.accessKey.status)})`,
          ...(r.accessKey.storedIn ? [`  secret key  in ${r.accessKey.storedIn}`] : []),
          ...(keyOnlyInLedger && o.secrets.secretAccessKey
            ? [
                `  secret key  ${o.secrets.secretAccessKey}  (hand it over; --access-key-out FILE writes it to a file)`,
              ]
            : []),
        ]
      : []),
    ...r.notes.map((n) => `  note: ${n}`),
    ...(o.next ? ["Next, on the developer's machine:", `  ${o.next}`] : []),
  ].join("\n");
}

/** Secrets must never reach stderr, even in an error message. */
export function guardSecrets(ctx: CliContext, s: TrustedSecrets): void {
  ctx.out.addSecret(s.secretAccessKey);
  ctx.out.addSecret(s.seed);
  ctx.out.addSecret(s.otpauthUri);
}

/** The JSON result: secret values only with --show-secrets. */
export const withSecrets = <T extends object>(result: T, secrets: TrustedSecrets, show: boolean) =>
  show ? { ...result, secrets } : result;

/**
 * Runs the apply; if it stops (failure, lost connection, Ctrl-C), the error also says where each
 * secret made so far is (run.ts adds the command that finishes the job).
 */
export async function tellTheTruth<T>(plan: TrustedSidePlan, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (!isRolectlError(err)) throw err;
    const m = plan.made;
    const lines = [
      err.message,
      ...(m.accessKeyId
        ? [`The secret of access key ${m.accessKeyId} is in ${m.keyStoredIn ?? plan.ledgerPath}.`]
        : []),
      ...(m.seed ? [`The seed of MFA device ${plan.mfaSerial} is in ${m.seedIn ?? plan.ledgerPath}.`] : []),
      ...m.notes.map((n) => `Note: ${n}.`),
    ];
    throw new RolectlError(err.code, lines.join("\n"), {
      cause: err,
      ...(err.hint ? { hint: err.hint } : {}),
      ...(err.details !== undefined ? { details: err.details } : {}),
    });
  }
}
