import {
  asList as list,
  type PolicyDocumentShape,
  type PolicyStatementShape,
  statementsOf,
} from "../policies/document.js";
import { isSharedProvider, oidcHost, subjectMatchesAnyOwner } from "../policies/trust.js";

// `rolectl audit`'s rules over a role's trust policy: who could assume it that should not. Each
// rule has a stable id, a severity, and a one-line fix; where IAM Access Analyzer or KICS check
// the same thing, its name is given so that findings can be matched across tools.

export const SEVERITIES = ["low", "medium", "high", "critical"] as const;
export type Severity = (typeof SEVERITIES)[number];

export interface Rule {
  id: string;
  severity: Severity;
  title: string;
  fix: string;
  /** The matching check of another tool, where there is one. */
  alsoKnownAs?: string;
}

export const RULES = {
  crossAccountNoExternalId: {
    id: "RC-TRUST-001",
    severity: "high",
    title: "another account is trusted without an external id or MFA (the confused deputy)",
    fix: 'Add "Condition": {"StringEquals": {"sts:ExternalId": "<secret id>"}} (third parties) or {"Bool": {"aws:MultiFactorAuthPresent": "true"}} (people).',
    alsoKnownAs: "Access Analyzer: External access; AWS guardrail: confused deputy",
  },
  webIdentityNoAudience: {
    id: "RC-TRUST-002",
    severity: "high",
    title: "a web identity trust without an audience (aud) condition",
    fix: 'Add "StringEquals": {"<provider host>:aud": "sts.amazonaws.com"} (or your client id).',
    alsoKnownAs: "Access Analyzer: MISSING_AUDIENCE_CLAIM_CONDITION",
  },
  webIdentityNoSubject: {
    id: "RC-TRUST-003",
    severity: "critical",
    title:
      "a web identity trust without a subject (sub) condition: every identity of the provider may assume it",
    fix: 'Add "StringLike": {"token.actions.githubusercontent.com:sub": "repo:ORG/REPO:*"} (or your provider\'s subject).',
    alsoKnownAs: "Access Analyzer: MISSING_GITHUB_REPO_CONDITION; KICS: GitHub OIDC without sub",
  },
  webIdentityAnySubject: {
    id: "RC-TRUST-004",
    severity: "critical",
    title: "a web identity subject pattern that matches every owner (repository)",
    fix: 'Name the owner and repository: "repo:ORG/REPO:*", not "*" or "repo:*".',
  },
  setOperatorOnSingleValue: {
    id: "RC-TRUST-005",
    severity: "high",
    title: "ForAllValues/ForAnyValue on a single-valued key (a missing key then matches too)",
    fix: "Use the plain operator (StringEquals, StringLike) for aud, sub, sts:ExternalId, aws:SourceAccount and the like.",
    alsoKnownAs: "Access Analyzer: FOR_ALL_VALUES_WITH_SINGLE_VALUED_KEY",
  },
  anyPrincipal: {
    id: "RC-TRUST-006",
    severity: "critical",
    title: 'Principal "*" (anyone on AWS) without a condition that restricts it',
    fix: 'Name the accounts or roles, or add {"StringEquals": {"aws:PrincipalOrgID": "o-…"}}.',
    alsoKnownAs: "KICS: IAM Role Allows All Principals To Assume",
  },
  serviceNoSourceCondition: {
    id: "RC-TRUST-007",
    // Low: many services (EC2, Lambda, ECS tasks) send neither key when they assume a role, and
    // a condition on a key that is never sent would break the role.
    severity: "low",
    title:
      "a service principal without aws:SourceAccount or aws:SourceArn (the cross-service confused deputy)",
    fix: 'Where the service sends them (Amplify, CloudFormation, …), add "StringEquals": {"aws:SourceAccount": "<this account>"} and aws:SourceArn.',
    alsoKnownAs: "AWS guardrail: cross-service confused deputy prevention",
  },
  sourceAccountsDisagree: {
    id: "RC-TRUST-008",
    severity: "high",
    title: "aws:SourceAccount and the account in aws:SourceArn disagree (no call can match both)",
    fix: "Make aws:SourceArn name the same account as aws:SourceAccount.",
  },
  federatedWithAssumeRole: {
    id: "RC-TRUST-009",
    severity: "high",
    title:
      "a federated principal with sts:AssumeRole (it takes AssumeRoleWithWebIdentity or AssumeRoleWithSAML)",
    fix: "Use sts:AssumeRoleWithWebIdentity for an OIDC provider, sts:AssumeRoleWithSAML for a SAML one.",
  },
  notPrincipalAllow: {
    id: "RC-TRUST-010",
    severity: "critical",
    title: "NotPrincipal with Allow trusts everyone not listed",
    fix: "Use Principal with the principals that may assume the role.",
    alsoKnownAs: "Access Analyzer: NOT_PRINCIPAL_WITH_ALLOW",
  },
} as const satisfies Record<string, Rule>;

export interface TrustFinding {
  rule: Rule;
  /** 1-based statement number. */
  statement: number;
  message: string;
}

/** Keys that hold one value: a set operator on them is a mistake. */
const SINGLE_VALUED =
  /(:aud|:sub|:oaud|^sts:externalid|^aws:sourceaccount|^aws:sourcearn|^aws:principalorgid|^aws:principalaccount|^saml:aud)$/i;
/** Keys that restrict who "*" is. */
const RESTRICTING =
  /^(aws:principalorgid|aws:principalorgpaths|aws:principalaccount|aws:principalarn|aws:sourceaccount|aws:sourcearn|aws:sourceowner|aws:sourcevpce?|aws:sourceip|aws:userid|sts:externalid)$/i;

/**
 * Whether a condition on a key actually narrows who may assume: a positive operator, not
 * IfExists (the key may be absent), not only "*", and for Bool keys "true". StringNotEquals on
 * aws:PrincipalOrgID, for one, lets in everyone outside the organization.
 */
function restricts(c: { operator: string; key: string; values: string[] }): boolean {
  const op = c.operator.toLowerCase().replace(/^for(all|any)values:/, "");
  if (op.includes("not") || op.endsWith("ifexists") || op === "null") return false;
  if (op === "bool") return c.values.some((v) => v.toLowerCase() === "true");
  return c.values.some((v) => !/^[*?]*$/.test(v));
}

/** Every condition key of a statement, with the operator it is under and its values. */
function conditions(s: PolicyStatementShape): { operator: string; key: string; values: string[] }[] {
  const out: { operator: string; key: string; values: string[] }[] = [];
  for (const [operator, block] of Object.entries(s.Condition ?? {}))
    for (const [key, values] of Object.entries(block ?? {}))
      out.push({ operator, key, values: list(values) });
  return out;
}

const accountOfArn = (arn: string) => /^arn:[\w-]+:[\w-]*:[^:]*:(\d{12}):/.exec(arn)?.[1];
const accountOfPrincipal = (p: string) => (/^\d{12}$/.test(p) ? p : accountOfArn(p));

/**
 * The findings for one trust policy. `accountId` is the role's own account (a principal there
 * is not "another account"); undefined when unknown (a file audited offline).
 */
export function auditTrustPolicy(doc: PolicyDocumentShape, accountId?: string): TrustFinding[] {
  const findings: TrustFinding[] = [];
  for (const [index, s] of statementsOf(doc).entries()) {
    if (s.Effect !== "Allow") continue;
    const at = index + 1;
    const add = (rule: Rule, message: string) => findings.push({ rule, statement: at, message });
    const conds = conditions(s);
    const has = (re: RegExp) => conds.some((c) => re.test(c.key) && restricts(c));
    const actions = list(s.Action).map((a) => a.toLowerCase());
    if (s.NotPrincipal !== undefined) add(RULES.notPrincipalAllow, "NotPrincipal in an Allow statement");
    for (const c of conds)
      if (/^for(all|any)values:/i.test(c.operator) && SINGLE_VALUED.test(c.key))
        add(RULES.setOperatorOnSingleValue, `${c.operator} on ${c.key}`);

    const principal = s.Principal;
    const awsPrincipals = principal === "*" ? ["*"] : list(principal?.AWS);
    if (awsPrincipals.includes("*") && !has(RESTRICTING))
      add(RULES.anyPrincipal, principal === "*" ? 'Principal "*"' : 'Principal {"AWS": "*"}');
    const foreign = awsPrincipals.filter((p) => {
      const acct = accountOfPrincipal(p);
      return acct !== undefined && acct !== accountId;
    });
    if (
      foreign.length &&
      accountId !== undefined &&
      !has(/^sts:externalid$/i) &&
      !has(/^aws:multifactorauth(present|age)$/i)
    )
      add(RULES.crossAccountNoExternalId, `trusts ${foreign.join(", ")} with neither sts:ExternalId nor MFA`);

    for (const federated of list(principal === "*" ? undefined : principal?.Federated)) {
      if (actions.includes("sts:assumerole"))
        add(RULES.federatedWithAssumeRole, `Federated ${federated} with sts:AssumeRole`);
      const host = federated.includes(":oidc-provider/") ? oidcHost(federated) : undefined;
      if (!host) continue;
      const claim = (name: string) =>
        conds.filter((c) => c.key.toLowerCase() === `${host}:${name}`.toLowerCase() && restricts(c));
      if (!claim("aud").length) add(RULES.webIdentityNoAudience, `${host} without a ${host}:aud condition`);
      const subjects = claim("sub");
      const shared = isSharedProvider(host);
      if (!subjects.length && shared)
        add(RULES.webIdentityNoSubject, `${host} without a ${host}:sub condition`);
      for (const sub of subjects.flatMap((c) => c.values))
        if (shared && subjectMatchesAnyOwner(sub))
          add(RULES.webIdentityAnySubject, `${host}:sub ${JSON.stringify(sub)} matches every owner`);
    }

    const services = list(principal === "*" ? undefined : principal?.Service);
    if (services.length && !has(/^aws:source(account|arn|owner)$/i))
      add(
        RULES.serviceNoSourceCondition,
        `${services.join(", ")} without aws:SourceAccount or aws:SourceArn`,
      );
    const sourceAccounts = conds.filter((c) => /^aws:sourceaccount$/i.test(c.key)).flatMap((c) => c.values);
    const sourceArnAccounts = conds
      .filter((c) => /^aws:sourcearn$/i.test(c.key))
      .flatMap((c) => c.values.map(accountOfArn).filter((a): a is string => a !== undefined));
    if (sourceAccounts.length && sourceArnAccounts.some((a) => !sourceAccounts.includes(a)))
      add(
        RULES.sourceAccountsDisagree,
        `aws:SourceAccount ${sourceAccounts.join(", ")}, aws:SourceArn in ${sourceArnAccounts.join(", ")}`,
      );
  }
  return findings;
}
