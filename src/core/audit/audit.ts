import type { PolicyDocumentShape } from "../policies/document.js";
import { auditTrustPolicy, RULES, type Rule, SEVERITIES, type Severity } from "./trust-rules.js";

// `rolectl audit`: the rules over a set of roles, from the account or from files. Pure: the
// roles come in, the findings go out, in a stable order (severity, then role, then rule).

export interface AuditedRole {
  name: string;
  /** The role's own account, when known (a file audited offline has none). */
  accountId?: string;
  trust: PolicyDocumentShape | undefined;
  /** AWS owns these (path /aws-service-role/): reported apart. */
  serviceLinked?: boolean;
  /** Attached policies that grant everything (AdministratorAccess …), by ARN. */
  adminPolicies?: string[];
  /** undefined: never used (or IAM has no record); absent when not read. */
  lastUsed?: Date | null;
  created?: Date;
}

export const PERM_RULES = {
  adminUnused: {
    id: "RC-PERM-001",
    severity: "medium",
    title: "a role with administrator access that has not been used for a long time",
    fix: "Delete the role, or replace AdministratorAccess with the permissions it needs.",
    alsoKnownAs: "Access Analyzer: unused access",
  },
} as const satisfies Record<string, Rule>;

/** Every rule, for SARIF's rule list and `--allow-risk` checks. */
export const ALL_RULES: Rule[] = [...Object.values(RULES), ...Object.values(PERM_RULES)];

/** Policies whose holder can do anything (AdministratorAccess-Amplify can pass any role). */
export const ADMIN_POLICIES = /:policy\/(AdministratorAccess|AdministratorAccess-Amplify)$/;

export interface Finding {
  rule: string;
  severity: Severity;
  role: string;
  /** 1-based statement of the trust policy; absent for findings about the role itself. */
  statement?: number;
  message: string;
  fix: string;
  alsoKnownAs?: string;
}

export interface AuditResult {
  roles: number;
  findings: Finding[];
  /** Service-linked roles' findings, apart: AWS writes their trust. */
  serviceLinked: Finding[];
}

const rank = (s: Severity) => SEVERITIES.indexOf(s);
export const atOrAbove = (s: Severity, threshold: Severity) => rank(s) >= rank(threshold);

export function auditRoles(roles: AuditedRole[], o: { unusedDays: number; now: number }): AuditResult {
  const findings: Finding[] = [];
  const serviceLinked: Finding[] = [];
  for (const role of roles) {
    const found: Finding[] = auditTrustPolicy(role.trust ?? {}, role.accountId).map((f) => ({
      rule: f.rule.id,
      severity: f.rule.severity,
      role: role.name,
      statement: f.statement,
      message: `${f.rule.title}: ${f.message}`,
      fix: f.rule.fix,
      ...(f.rule.alsoKnownAs ? { alsoKnownAs: f.rule.alsoKnownAs } : {}),
    }));
    const cutoff = o.now - o.unusedDays * 86_400_000;
    const old = role.created === undefined || role.created.getTime() < cutoff;
    if (
      role.adminPolicies?.length &&
      role.lastUsed !== undefined &&
      old &&
      (role.lastUsed?.getTime() ?? 0) < cutoff
    ) {
      const rule = PERM_RULES.adminUnused;
      found.push({
        rule: rule.id,
        severity: rule.severity,
        role: role.name,
        message: `${rule.title}: ${role.adminPolicies.join(", ")}, ${role.lastUsed ? `last used ${role.lastUsed.toISOString().slice(0, 10)}` : "never used"} (over ${o.unusedDays} days)`,
        fix: rule.fix,
        alsoKnownAs: rule.alsoKnownAs,
      });
    }
    (role.serviceLinked ? serviceLinked : findings).push(...found);
  }
  const order = (a: Finding, b: Finding) =>
    rank(b.severity) - rank(a.severity) || a.role.localeCompare(b.role) || a.rule.localeCompare(b.rule);
  return { roles: roles.length, findings: findings.sort(order), serviceLinked: serviceLinked.sort(order) };
}

/** SARIF 2.1.0 for code-scanning UIs: one rule per rolectl rule, one result per finding. */
export function toSarif(result: AuditResult, version: string, locationOf: (role: string) => string): unknown {
  const level = (s: Severity) =>
    s === "critical" || s === "high" ? "error" : s === "medium" ? "warning" : "note";
  return {
    $schema: "https://json.schemastore.org/sarif-2.1.0.json",
    version: "2.1.0",
    runs: [
      {
        tool: {
          driver: {
            name: "rolectl",
            version,
            informationUri: "https://github.com/rolectl/rolectl",
            rules: ALL_RULES.map((r) => ({
              id: r.id,
              shortDescription: { text: r.title },
              help: { text: r.fix },
              defaultConfiguration: { level: level(r.severity) },
              properties: { severity: r.severity, ...(r.alsoKnownAs ? { alsoKnownAs: r.alsoKnownAs } : {}) },
            })),
          },
        },
        results: result.findings.map((f) => ({
          ruleId: f.rule,
          ruleIndex: ALL_RULES.findIndex((r) => r.id === f.rule),
          level: level(f.severity),
          message: { text: `${f.role}: ${f.message}. Fix: ${f.fix}` },
          locations: [
            {
              physicalLocation: { artifactLocation: { uri: locationOf(f.role) } },
              logicalLocations: [{ name: f.role, kind: "resource" }],
            },
          ],
          properties: { severity: f.severity, ...(f.statement ? { statement: f.statement } : {}) },
        })),
      },
    ],
  };
}
