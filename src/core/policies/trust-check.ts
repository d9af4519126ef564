import { usageError } from "../../shared/errors.js";
import { quoteValue } from "../../shared/validate.js";
import { type PolicyDocumentShape, statementsOf } from "./document.js";

// A trust policy given as a file is checked as a trust policy, not just as a policy: who may
// assume the role must be spelled so that IAM means what the user read, and "anyone" is refused
// unless asked for (AWS-FACTS.md, "Trust policies").

export const OIDC_PROVIDER_ARN = /^arn:aws[\w-]*:iam::\d{12}:oidc-provider\/[\w.\-/:]+$/;
export const SAML_PROVIDER_ARN = /^arn:aws[\w-]*:iam::\d{12}:saml-provider\/[\w+=,.@-]+$/;

/** The actions a trust policy can grant (lower case: IAM compares actions case-insensitively). */
const TRUST_ACTIONS = [
  "assumerole",
  "assumerolewithwebidentity",
  "assumerolewithsaml",
  "tagsession",
  "setsourceidentity",
  "setcontext",
];
/** Identity providers IAM knows by host name rather than by a provider ARN. */
const FEDERATED_HOSTS = [
  "cognito-identity.amazonaws.com",
  "accounts.google.com",
  "graph.facebook.com",
  "www.amazon.com",
];

// aws, aws-cn, aws-us-gov and the isolated partitions (aws-iso, aws-iso-b, …).
const PARTITION = "aws(-[a-z]+)*";
const AWS_PRINCIPAL = new RegExp(
  `^(\\d{12}|arn:${PARTITION}:iam::\\d{12}:(root|(user|role)/([\\x21-\\x7E]+/)?[\\w+=,.@-]{1,64})|arn:${PARTITION}:sts::\\d{12}:(assumed-role/[\\w+=,.@-]{1,64}/[\\w+=,.@-]{2,64}|federated-user/[\\w+=,.@-]{2,32}))$`,
);
const SERVICE_PRINCIPAL = /^[a-z0-9][a-z0-9.-]*\.amazonaws\.com(\.cn)?$/;

export interface TrustCheckOptions {
  /** --allow-any-principal: "*" is accepted in a statement that has a Condition. */
  allowAnyPrincipal?: boolean;
}

/** Throws a usage error naming the statement, the value and the rule it breaks. */
export function checkTrustPolicy(doc: PolicyDocumentShape, source: string, o: TrustCheckOptions = {}): void {
  for (const [i, s] of statementsOf(doc).entries()) {
    const bad = (rule: string, hint?: string): never => {
      throw usageError(
        "invalid_policy",
        `Trust policy ${source}, Statement ${i + 1}: ${rule}.`,
        hint ? { hint } : {},
      );
    };
    const allow = s.Effect === "Allow";
    for (const key of ["Resource", "NotResource"])
      if (s[key] !== undefined)
        bad(`a trust policy statement has no ${key} (the role itself is the resource)`);
    if (allow && s.NotAction !== undefined)
      bad("NotAction in an Allow would grant every other action; list the sts actions in Action");
    if (allow && s.NotPrincipal !== undefined)
      bad("NotPrincipal in an Allow would trust everyone else; name who may assume the role in Principal");
    for (const key of ["Action", "NotAction"] as const)
      if (s[key] !== undefined) checkActions(s[key], key, bad);
    if (s.Action === undefined && s.NotAction === undefined) bad("it needs an Action, e.g. sts:AssumeRole");
    const principal = s.Principal ?? s.NotPrincipal;
    if (principal === undefined) bad('it needs a Principal, e.g. {"Service": "ec2.amazonaws.com"}');
    const anyone = checkPrincipal(principal, bad);
    if (anyone && allow) {
      // At least one operator with at least one key: {"StringEquals": {}} restricts nothing.
      const hasCondition =
        typeof s.Condition === "object" &&
        s.Condition !== null &&
        Object.values(s.Condition).some(
          (block) => typeof block === "object" && block !== null && Object.keys(block).length > 0,
        );
      if (!o.allowAnyPrincipal)
        bad(
          'it trusts "*", any principal in any AWS account; refused without --allow-any-principal',
          "Name the accounts or roles instead, or add a Condition (e.g. aws:PrincipalOrgID) and pass --allow-any-principal.",
        );
      if (!hasCondition)
        bad(
          'it trusts "*" without a Condition: anyone on AWS could assume the role, even with --allow-any-principal',
          'Add a Condition such as {"StringEquals": {"aws:PrincipalOrgID": "o-…"}}.',
        );
    }
  }
}

function checkActions(value: unknown, key: string, bad: (rule: string) => never): void {
  const list = typeof value === "string" ? [value] : value;
  if (!Array.isArray(list) || list.length === 0 || list.some((a) => typeof a !== "string"))
    bad(`${key} must be a string or a non-empty list of strings, not ${quoteValue(JSON.stringify(value))}`);
  for (const action of list as string[]) {
    const m = /^sts:([\w*?]+)$/i.exec(action);
    const pattern = m?.[1]
      ? new RegExp(`^${m[1].toLowerCase().replace(/\*/g, ".*").replace(/\?/g, ".")}$`)
      : undefined;
    if (!pattern || !TRUST_ACTIONS.some((a) => pattern.test(a)))
      bad(
        `${key} ${quoteValue(action)} is not an sts action a trust policy grants (sts:AssumeRole, sts:AssumeRoleWithWebIdentity, sts:AssumeRoleWithSAML, sts:TagSession, sts:SetSourceIdentity, sts:SetContext, or an sts:* wildcard matching them)`,
      );
  }
}

/** Checks every principal named; true when one of them is "*" (anyone). */
function checkPrincipal(principal: unknown, bad: (rule: string) => never): boolean {
  if (principal === "*") return true;
  if (typeof principal !== "object" || principal === null || Array.isArray(principal))
    bad(
      `Principal must be "*" or an object such as {"AWS": "123456789012"}, not ${quoteValue(JSON.stringify(principal))}`,
    );
  const entries = Object.entries(principal as Record<string, unknown>);
  if (!entries.length) bad("Principal names nobody");
  let anyone = false;
  for (const [kind, value] of entries) {
    const list = typeof value === "string" ? [value] : value;
    if (!Array.isArray(list) || list.length === 0 || list.some((v) => typeof v !== "string"))
      bad(`Principal ${kind} must be a string or a non-empty list of strings`);
    for (const v of list as string[]) {
      if (kind === "AWS") {
        if (v === "*") anyone = true;
        else if (/[*?]/.test(v))
          bad(
            `Principal AWS ${quoteValue(v)}: IAM allows no wildcard inside a principal ARN; use "*" with a Condition (and --allow-any-principal) instead`,
          );
        else if (!AWS_PRINCIPAL.test(v))
          bad(
            `Principal AWS ${quoteValue(v)} must be a 12-digit account id, arn:aws:iam::123456789012:(root|user/NAME|role/NAME) or an sts assumed-role ARN`,
          );
      } else if (kind === "Service") {
        if (!SERVICE_PRINCIPAL.test(v) || v.length > 128)
          bad(`Principal Service ${quoteValue(v)} must be a service principal such as lambda.amazonaws.com`);
      } else if (kind === "Federated") {
        if (!OIDC_PROVIDER_ARN.test(v) && !SAML_PROVIDER_ARN.test(v) && !FEDERATED_HOSTS.includes(v))
          bad(
            `Principal Federated ${quoteValue(v)} must be an oidc-provider or saml-provider ARN, or one of ${FEDERATED_HOSTS.join(", ")}`,
          );
      } else bad(`Principal ${quoteValue(kind)} is not one a trust policy takes (AWS, Service or Federated)`);
    }
  }
  return anyone;
}
