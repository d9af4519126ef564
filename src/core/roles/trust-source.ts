import { usageError } from "../../shared/errors.js";
import type { Prompter } from "../../shared/prompter.js";
import { normaliseServicePrincipal, validateAccountId, validateExternalId } from "../../shared/validate.js";
import { flagOrAsk } from "../ask.js";
import type { PolicyDocumentShape } from "../policies/document.js";
import { readPolicy } from "../policies/read-policy.js";
import { accountTrust, samlTrust, serviceTrust, webIdentityTrust } from "../policies/trust.js";

// `role create`'s trust policy from exactly one trust source: a flag, or on a terminal a short
// wizard. Options that belong to another kind of trust are refused, not silently dropped.

// IAM's limit: a trust policy is 2048 characters by default.
export const TRUST_POLICY_MAX = 2048;

/** The trust options of `role create`, as typed. */
export interface TrustOptions {
  service?: string;
  trustAccount?: string;
  externalId?: string;
  requireMfa?: boolean;
  webIdentity?: string;
  audience?: string;
  subject?: string;
  saml?: string;
  trustPolicy?: string;
}

function validateProviderArn(value: string, kind: "oidc-provider" | "saml-provider", flag: string): string {
  const re =
    kind === "oidc-provider"
      ? /^arn:aws[\w-]*:iam::\d{12}:oidc-provider\/[\w.\-/:]+$/
      : /^arn:aws[\w-]*:iam::\d{12}:saml-provider\/[\w+=,.@-]+$/;
  if (!re.test(value)) {
    throw usageError(
      "invalid_value",
      `Invalid ${kind} ARN ${JSON.stringify(value.slice(0, 80))} (${flag}): must look like arn:aws:iam::123456789012:${kind}/${kind === "oidc-provider" ? "token.actions.githubusercontent.com" : "MyIdP"}.`,
    );
  }
  return value;
}

export type TrustKind = "service" | "account" | "web-identity" | "saml" | "file";

/** The trust policy from exactly one trust source, asking (interactively) only for what is missing. */
export interface Trust {
  kind: TrustKind;
  policy: PolicyDocumentShape;
  trustedAccount?: string;
  /** The wizard chose the kind: the plan is confirmed before it is applied. */
  asked?: boolean;
}

export async function buildTrust(
  ask: { prompter: Prompter; nonInteractive: string | undefined },
  o: TrustOptions,
): Promise<Trust> {
  const given = (
    [
      ["service", o.service, "--service"],
      ["account", o.trustAccount, "--trust-account"],
      ["web-identity", o.webIdentity, "--web-identity"],
      ["saml", o.saml, "--saml"],
      ["file", o.trustPolicy, "--trust-policy"],
    ] as const
  ).filter(([, v]) => v !== undefined);
  if (given.length > 1) {
    throw usageError(
      "usage",
      `Give exactly one trust source; got ${given.map(([, , f]) => f).join(" and ")}.`,
    );
  }
  // Options that belong to one kind of trust are refused with another, not silently dropped.
  const belongs: [string, unknown, TrustKind][] = [
    ["--external-id", o.externalId, "account"],
    ["--require-mfa", o.requireMfa, "account"],
    ["--audience", o.audience, "web-identity"],
    ["--subject", o.subject, "web-identity"],
  ];
  const misplaced = (kind: TrustKind) => {
    const wrong = belongs.find(([, value, owner]) => value !== undefined && owner !== kind);
    if (wrong)
      throw usageError(
        "usage",
        `${wrong[0]} goes with ${wrong[2] === "account" ? "--trust-account" : "--web-identity"}.`,
      );
  };
  if (given[0]) misplaced(given[0][0]);
  let kind: TrustKind | undefined = given[0]?.[0];
  const asked = !kind;
  if (!kind) {
    if (ask.nonInteractive) {
      throw usageError(
        "missing_input",
        "Missing the trust source: one of --service, --trust-account, --web-identity, --saml or --trust-policy.",
        {
          hint: `rolectl is running non-interactively (${ask.nonInteractive}); e.g. --service lambda.amazonaws.com.`,
        },
      );
    }
    kind = await ask.prompter.select<TrustKind>({
      message: "Who may assume the role?",
      flag: "--service / --trust-account / --web-identity / --saml",
      choices: [
        { name: "An AWS service (e.g. Lambda, EC2)", value: "service" },
        { name: "Another AWS account", value: "account" },
        { name: "Web identity (OIDC, e.g. GitHub Actions)", value: "web-identity" },
        { name: "SAML 2.0 federation", value: "saml" },
      ],
    });
  }
  misplaced(kind);
  switch (kind) {
    case "service":
      return {
        kind,
        asked,
        policy: serviceTrust(
          normaliseServicePrincipal(
            await flagOrAsk(ask.prompter, o.service, {
              message: "Service principal, e.g. lambda.amazonaws.com:",
              flag: "--service",
            }),
            "--service",
          ),
        ),
      };
    case "account": {
      const accountId = validateAccountId(
        await flagOrAsk(ask.prompter, o.trustAccount, {
          message: "Trusted account id (12 digits):",
          flag: "--trust-account",
        }),
        "--trust-account",
      );
      const externalId =
        o.externalId === undefined ? undefined : validateExternalId(o.externalId, "--external-id");
      return {
        kind,
        asked,
        trustedAccount: accountId,
        policy: accountTrust({
          accountId,
          ...(externalId ? { externalId } : {}),
          requireMfa: o.requireMfa === true,
        }),
      };
    }
    case "web-identity": {
      const provider = validateProviderArn(
        await flagOrAsk(ask.prompter, o.webIdentity, {
          message: "OIDC provider ARN:",
          flag: "--web-identity",
        }),
        "oidc-provider",
        "--web-identity",
      );
      const audience = await flagOrAsk(ask.prompter, o.audience, {
        message: "Audience (e.g. sts.amazonaws.com):",
        flag: "--audience",
      });
      if (!audience.trim())
        throw usageError("invalid_value", 'Invalid audience "" (--audience): must not be empty.');
      return { kind, asked, policy: webIdentityTrust(provider, audience, o.subject) };
    }
    case "saml":
      return {
        kind,
        asked,
        policy: samlTrust(
          validateProviderArn(
            await flagOrAsk(ask.prompter, o.saml, { message: "SAML provider ARN:", flag: "--saml" }),
            "saml-provider",
            "--saml",
          ),
        ),
      };
    case "file":
      return { kind, policy: await readPolicy(o.trustPolicy ?? "", "--trust-policy", TRUST_POLICY_MAX) };
  }
}
