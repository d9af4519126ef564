import { usageError } from "../../shared/errors.js";
import type { PolicyDocumentShape } from "../policies/document.js";
import { ALL_RULES } from "./audit.js";
import { auditTrustPolicy } from "./trust-rules.js";

// rolectl never creates what `rolectl audit` would flag as critical: a provisioning command runs
// the same rules on the trust policy it is about to write. A critical finding is refused unless
// --allow-risk names its rule; a high one is a warning; lesser ones are left to `audit` (every
// Lambda role would otherwise warn about aws:SourceAccount).

/** The warnings to show; throws (exit 2, before any AWS call) on a critical finding not allowed. */
export function guardTrust(doc: PolicyDocumentShape, allowRisk: string[], accountId?: string): string[] {
  for (const id of allowRisk)
    if (!ALL_RULES.some((r) => r.id === id))
      throw usageError("invalid_value", `Invalid --allow-risk ${JSON.stringify(id)}: not a rule id.`, {
        hint: `Rule ids: ${ALL_RULES.map((r) => r.id).join(", ")} (see rolectl audit --help).`,
      });
  const findings = auditTrustPolicy(doc, accountId);
  const refused = findings.find((f) => f.rule.severity === "critical" && !allowRisk.includes(f.rule.id));
  if (refused)
    throw usageError(
      "invalid_input",
      `The trust policy would be a critical finding of rolectl audit, ${refused.rule.id} (statement ${refused.statement}): ${refused.rule.title}.`,
      { hint: `${refused.rule.fix} Or pass --allow-risk ${refused.rule.id} if that is really meant.` },
    );
  return findings
    .filter((f) => f.rule.severity === "high")
    .map((f) => `${f.rule.id} (${f.rule.severity}): ${f.rule.title}. ${f.rule.fix}`);
}
