import { awsErrorName, usageError } from "../../shared/errors.js";
import type { PromptBase, Prompter } from "../../shared/prompter.js";
import { normaliseServicePrincipal, validateAccountId, validateExternalId } from "../../shared/validate.js";
import { flagOrAsk, optionalAnswer } from "../ask.js";
import type { PolicyDocumentShape } from "../policies/document.js";
import { readPolicy } from "../policies/read-policy.js";
import {
  accountTrust,
  isSharedProvider,
  oidcHost,
  samlTrust,
  serviceTrust,
  subjectMatchesAnyOwner,
  webIdentityTrust,
} from "../policies/trust.js";
import { checkTrustPolicy, OIDC_PROVIDER_ARN, SAML_PROVIDER_ARN } from "../policies/trust-check.js";

// `role create`'s trust policy from exactly one trust source: a flag, or on a terminal a short
// wizard. Options that belong to another kind of trust are refused, not silently dropped.

// IAM's limit: a trust policy is 2048 characters by default.
export const TRUST_POLICY_MAX = 2048;

/** The trust options of `role create`, as typed. */
export interface TrustOptions {
  /** Repeatable: several services may share a role. */
  service?: string[];
  /** Repeatable: the root of each account. */
  trustAccount?: string[];
  externalId?: string;
  requireMfa?: boolean;
  webIdentity?: string;
  audience?: string;
  /** Repeatable: any of these token subjects. */
  subject?: string[];
  /** Let any subject of the provider assume the role (refused for GitHub without it). */
  allowAnySubject?: boolean;
  saml?: string;
  trustPolicy?: string;
  /** Accept "*" in a --trust-policy statement that has a Condition. */
  allowAnyPrincipal?: boolean;
}

function validateProviderArn(value: string, kind: "oidc-provider" | "saml-provider", flag: string): string {
  const re = kind === "oidc-provider" ? OIDC_PROVIDER_ARN : SAML_PROVIDER_ARN;
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
  /** An account trust's conditions (given or answered), for --verify. */
  externalId?: string;
  requireMfa?: boolean;
  /** The wizard chose the kind: the plan is confirmed before it is applied. */
  asked?: boolean;
  /** Allowed, but worth saying (e.g. an OIDC role without a subject condition). */
  warnings?: string[];
}

/** What the trust wizard needs: someone to ask, and the account's identity providers to offer. */
export interface TrustAsker {
  prompter: Prompter;
  nonInteractive: string | undefined;
  /** The account's OIDC or SAML provider ARNs (read only when the wizard asks for one). */
  providers?: (kind: "oidc-provider" | "saml-provider") => Promise<string[]>;
}

export async function buildTrust(ask: TrustAsker, o: TrustOptions): Promise<Trust> {
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
    ["--allow-any-subject", o.allowAnySubject, "web-identity"],
    ["--allow-any-principal", o.allowAnyPrincipal, "file"],
  ];
  const OWNER_FLAG: Partial<Record<TrustKind, string>> = {
    account: "--trust-account",
    "web-identity": "--web-identity",
    file: "--trust-policy",
  };
  const misplaced = (kind: TrustKind) => {
    const wrong = belongs.find(([, value, owner]) => value !== undefined && owner !== kind);
    if (wrong) throw usageError("usage", `${wrong[0]} goes with ${OWNER_FLAG[wrong[2]]}.`);
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
    case "service": {
      const services = await valuesOrAsk(
        ask.prompter,
        o.service,
        { message: "Service principal, e.g. lambda.amazonaws.com:", flag: "--service" },
        (v) => normaliseServicePrincipal(v, "--service"),
      );
      return { kind, asked, policy: serviceTrust(services) };
    }
    case "account": {
      const accountIds = await valuesOrAsk(
        ask.prompter,
        o.trustAccount,
        { message: "Trusted account id (12 digits):", flag: "--trust-account" },
        (v) => validateAccountId(v, "--trust-account"),
      );
      const accountId = accountIds.length === 1 ? (accountIds[0] as string) : accountIds;
      // The wizard asks for the conditions; flags given alongside it are taken as they are.
      const externalId =
        o.externalId === undefined && asked
          ? await optionalAnswer(
              ask.prompter,
              {
                message: "External id the other account must pass (for a third party; empty for none):",
                flag: "--external-id",
              },
              (v) => validateExternalId(v, "--external-id"),
            )
          : o.externalId === undefined
            ? undefined
            : validateExternalId(o.externalId, "--external-id");
      const requireMfa =
        o.requireMfa === undefined && asked
          ? await ask.prompter.confirm({
              message: "Require MFA to assume it?",
              flag: "--require-mfa",
              default: true,
            })
          : o.requireMfa === true;
      return {
        kind,
        asked,
        ...(typeof accountId === "string" ? { trustedAccount: accountId } : {}),
        ...(externalId ? { externalId } : {}),
        requireMfa,
        policy: accountTrust({ accountId, ...(externalId ? { externalId } : {}), requireMfa }),
      };
    }
    case "web-identity": {
      const provider = await providerOrAsk(ask, o.webIdentity, "oidc-provider", "--web-identity");
      const audience = await flagOrAsk(
        ask.prompter,
        o.audience,
        { message: "Audience:", flag: "--audience", default: "sts.amazonaws.com" },
        (v) => {
          if (!v.trim())
            throw usageError("invalid_value", 'Invalid audience "" (--audience): must not be empty.');
          return v.trim();
        },
      );
      let subjects = o.subject ?? [];
      if (!subjects.length && !o.allowAnySubject && !ask.nonInteractive) {
        const typed = await ask.prompter.input({
          message: "Token subject allowed (e.g. repo:my-org/my-app:*), empty for any:",
          flag: "--subject",
        });
        subjects = typed.trim() ? [typed.trim()] : [];
      }
      const host = oidcHost(provider);
      const shared = isSharedProvider(host);
      const warnings: string[] = [];
      // On a provider anyone can get tokens from, a subject pattern that matches every owner
      // trusts strangers, like no subject. On a private one (an EKS cluster) it is only broad.
      const anyOwner = subjects.find(subjectMatchesAnyOwner);
      if (anyOwner !== undefined && !o.allowAnySubject) {
        if (shared)
          throw usageError(
            "invalid_input",
            `Invalid subject ${JSON.stringify(anyOwner)} (--subject): on ${host} it matches the tokens of every owner, so anyone could assume the role.`,
            {
              hint: "Name the owner, e.g. --subject 'repo:ORG/REPO:*', or add --allow-any-subject if that is really meant.",
            },
          );
        warnings.push(
          `The subject ${JSON.stringify(anyOwner)} matches every identity ${host} issues tokens to.`,
        );
      }
      if (!subjects.length && !o.allowAnySubject) {
        // GitHub Enterprise Cloud's issuer is the shared one with the enterprise's slug after it.
        if (shared)
          throw usageError(
            "invalid_input",
            `A role trusting ${host} without --subject can be assumed by any of its users: any repository on GitHub, for instance.`,
            {
              hint: "Add --subject 'repo:ORG/REPO:*' (repeatable), or --allow-any-subject if that is really meant.",
            },
          );
        warnings.push(
          `Any identity that ${host} issues tokens for (with audience ${audience}) may assume this role; --subject narrows it.`,
        );
      }
      return { kind, asked, warnings, policy: webIdentityTrust(provider, audience, subjects) };
    }
    case "saml":
      return {
        kind,
        asked,
        policy: samlTrust(await providerOrAsk(ask, o.saml, "saml-provider", "--saml")),
      };
    case "file": {
      const path = o.trustPolicy ?? "";
      const policy = await readPolicy(path, "--trust-policy", TRUST_POLICY_MAX);
      checkTrustPolicy(policy, `${path} (--trust-policy)`, {
        allowAnyPrincipal: o.allowAnyPrincipal === true,
      });
      return { kind, policy };
    }
  }
}

/** The provider given, or one of the account's chosen from a list (typed when it has none). */
async function providerOrAsk(
  ask: TrustAsker,
  given: string | undefined,
  kind: "oidc-provider" | "saml-provider",
  flag: string,
): Promise<string> {
  const check = (v: string) => validateProviderArn(v.trim(), kind, flag);
  const question = { message: `${kind === "oidc-provider" ? "OIDC" : "SAML"} provider ARN:`, flag };
  if (given !== undefined || ask.nonInteractive || !ask.providers)
    return flagOrAsk(ask.prompter, given, question, check);
  // Listing is a convenience: a caller allowed to create roles but not to list providers types it.
  const known = await ask.providers(kind).catch((err: unknown) => {
    if (awsErrorName(err) === "AccessDenied") return [];
    throw err;
  });
  if (!known.length) return flagOrAsk(ask.prompter, undefined, question, check);
  const OTHER = "";
  const chosen = await ask.prompter.select<string>({
    message: `Which ${kind === "oidc-provider" ? "OIDC" : "SAML"} provider?`,
    flag,
    choices: [
      ...known.map((arn) => ({ name: arn.slice(arn.indexOf("/") + 1), value: arn, description: arn })),
      { name: "Another (type its ARN)", value: OTHER },
    ],
  });
  return chosen === OTHER ? flagOrAsk(ask.prompter, undefined, question, check) : chosen;
}

/** A repeatable flag's values, each checked; without any, one value asked for. */
async function valuesOrAsk(
  prompter: Prompter,
  given: string[] | undefined,
  question: PromptBase,
  check: (value: string) => string,
): Promise<string[]> {
  return given?.length ? given.map(check) : [await flagOrAsk(prompter, undefined, question, check)];
}
