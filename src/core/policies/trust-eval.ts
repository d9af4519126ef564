import {
  asList as list,
  type PolicyDocumentShape,
  type PolicyStatementShape,
  statementsOf,
} from "./document.js";

// Evaluates a trust policy against one AssumeRole request, offline, as IAM would for the role's
// side of the decision: an explicit Deny wins, else some Allow must match principal, action and
// every condition. It says why not, so that `doctor` can name the failing check (AWS answers
// every mismatch with the same AccessDenied).

export interface TrustRequest {
  /** The caller: arn:aws:iam::ACCT:user/U, arn:aws:sts::ACCT:assumed-role/R/S, or …:root. */
  principalArn: string;
  action: string;
  /** Request context keys: sts:ExternalId, aws:MultiFactorAuthPresent, aws:MultiFactorAuthAge, … */
  context: Record<string, string | string[] | undefined>;
  /**
   * The keys the caller knows the request to have or lack. A condition on any other key that is
   * not in the context cannot be decided offline: it is left out, not counted as failing.
   */
  knownKeys?: string[];
}

export interface TrustDecision {
  allowed: boolean;
  /** Why: the Deny that matched, or for each Allow the first thing that did not. */
  reasons: string[];
}

/** IAM's wildcard match: * any run, ? one character; case-sensitive unless asked. */
export function wildcardMatch(pattern: string, value: string, ignoreCase = false): boolean {
  const re = pattern
    .replace(/[.+^${}()|[\]\\]/g, "\\$&")
    .replace(/\*/g, ".*")
    .replace(/\?/g, ".");
  return new RegExp(`^${re}$`, ignoreCase ? "is" : "s").test(value);
}

const accountOf = (arn: string) => /^arn:[\w-]+:(iam|sts)::(\d{12}):/.exec(arn)?.[2];

/** The role ARN a session belongs to (assumed-role/R/S -> role/R); undefined for others. */
function roleOfSession(arn: string): string | undefined {
  const m = /^arn:([\w-]+):sts::(\d{12}):assumed-role\/([^/]+)\/[^/]+$/.exec(arn);
  return m ? `arn:${m[1]}:iam::${m[2]}:role/${m[3]}` : undefined;
}

/** Whether a Principal element names the caller. */
export function principalMatches(principal: PolicyStatementShape["Principal"], caller: string): boolean {
  if (principal === "*") return true;
  const aws = list(principal?.AWS);
  const sessionRole = roleOfSession(caller);
  return aws.some((p) => {
    if (p === "*") return true;
    // An account (id or root ARN) trusts every principal of that account (its policies decide).
    if (/^\d{12}$/.test(p)) return accountOf(caller) === p;
    if (/^arn:[\w-]+:iam::\d{12}:root$/.test(p)) return accountOf(caller) === accountOf(p);
    // A role ARN matches its sessions; a role path in the ARN is not in the session's.
    const unpathed = p.replace(/:role\/(?:[^/]+\/)*([^/]+)$/, ":role/$1");
    return p === caller || (sessionRole !== undefined && unpathed === sessionRole);
  });
}

type Check = (values: string[], expected: string[]) => boolean;

const numeric =
  (cmp: (a: number, b: number) => boolean): Check =>
  (v, e) =>
    v.some((x) => e.some((y) => cmp(Number(x), Number(y))));
const dates =
  (cmp: (a: number, b: number) => boolean): Check =>
  (v, e) =>
    v.some((x) => e.some((y) => cmp(Date.parse(x), Date.parse(y))));

const OPERATORS: Record<string, Check> = {
  stringequals: (v, e) => v.some((x) => e.includes(x)),
  stringnotequals: (v, e) => v.every((x) => !e.includes(x)),
  stringequalsignorecase: (v, e) => v.some((x) => e.some((y) => x.toLowerCase() === y.toLowerCase())),
  stringnotequalsignorecase: (v, e) => v.every((x) => e.every((y) => x.toLowerCase() !== y.toLowerCase())),
  stringlike: (v, e) => v.some((x) => e.some((y) => wildcardMatch(y, x))),
  stringnotlike: (v, e) => v.every((x) => e.every((y) => !wildcardMatch(y, x))),
  arnequals: (v, e) => v.some((x) => e.includes(x)),
  arnlike: (v, e) => v.some((x) => e.some((y) => wildcardMatch(y, x))),
  arnnotequals: (v, e) => v.every((x) => !e.includes(x)),
  arnnotlike: (v, e) => v.every((x) => e.every((y) => !wildcardMatch(y, x))),
  bool: (v, e) => v.some((x) => e.some((y) => x.toLowerCase() === y.toLowerCase())),
  numericequals: numeric((a, b) => a === b),
  numericnotequals: numeric((a, b) => a !== b),
  numericlessthan: numeric((a, b) => a < b),
  numericlessthanequals: numeric((a, b) => a <= b),
  numericgreaterthan: numeric((a, b) => a > b),
  numericgreaterthanequals: numeric((a, b) => a >= b),
  datelessthan: dates((a, b) => a < b),
  dategreaterthan: dates((a, b) => a > b),
};

/** Undefined when the condition holds; else what did not. */
export function conditionFailure(
  condition: PolicyStatementShape["Condition"],
  context: TrustRequest["context"],
  knownKeys?: string[],
): string | undefined {
  for (const [rawOperator, block] of Object.entries(condition ?? {})) {
    const set = /^(ForAllValues|ForAnyValue):/i.exec(rawOperator)?.[1]?.toLowerCase();
    let operator = rawOperator.replace(/^(ForAllValues|ForAnyValue):/i, "").toLowerCase();
    const ifExists = operator.endsWith("ifexists");
    if (ifExists) operator = operator.slice(0, -"ifexists".length);
    for (const [key, expectedRaw] of Object.entries(block ?? {})) {
      const expected = list(expectedRaw);
      const found = Object.entries(context).find(([k]) => k.toLowerCase() === key.toLowerCase())?.[1];
      const values = list(found);
      if (operator === "null") {
        const wantAbsent = expected.some((e) => e.toLowerCase() === "true");
        if (wantAbsent !== (values.length === 0))
          return `${key} is ${values.length ? "present" : "absent"} (Null: ${expected.join(",")})`;
        continue;
      }
      const check = OPERATORS[operator];
      // An operator this evaluator does not know (IpAddress, Binary…) cannot be decided here.
      if (!check) continue;
      if (!values.length) {
        // A missing key fails a condition, except with IfExists, a negated operator, or
        // ForAllValues (which holds over the empty set: the reason it is a trap on single keys).
        if (knownKeys && !knownKeys.some((k) => k.toLowerCase() === key.toLowerCase())) continue;
        if (ifExists || set === "forallvalues" || (set === undefined && operator.includes("not"))) continue;
        return `${key} is not in the request (${rawOperator} ${JSON.stringify(expected.length === 1 ? expected[0] : expected)})`;
      }
      const holds =
        set === "forallvalues"
          ? values.every((v) => check([v], expected))
          : set === "foranyvalue"
            ? values.some((v) => check([v], expected))
            : check(values, expected);
      if (!holds)
        return `${key} is ${JSON.stringify(values.length === 1 ? values[0] : values)}, not ${rawOperator} ${JSON.stringify(expected.length === 1 ? expected[0] : expected)}`;
    }
  }
  return undefined;
}

const actionMatches = (actions: string[], action: string) =>
  actions.some((a) => wildcardMatch(a, action, true));

export function evaluateTrust(doc: PolicyDocumentShape, req: TrustRequest): TrustDecision {
  const reasons: string[] = [];
  const close: string[] = [];
  let allowed = false;
  for (const [i, s] of statementsOf(doc).entries()) {
    const at = `statement ${i + 1}`;
    const principalOk =
      s.NotPrincipal !== undefined
        ? !principalMatches(s.NotPrincipal as PolicyStatementShape["Principal"], req.principalArn)
        : principalMatches(s.Principal, req.principalArn);
    const actionOk =
      s.NotAction !== undefined
        ? !actionMatches(list(s.NotAction), req.action)
        : actionMatches(list(s.Action), req.action);
    const conditionNot = conditionFailure(s.Condition, req.context, req.knownKeys);
    const matches = principalOk && actionOk && conditionNot === undefined;
    if (s.Effect === "Deny") {
      if (matches) return { allowed: false, reasons: [`${at} denies it`] };
      continue;
    }
    if (s.Effect !== "Allow") continue;
    if (matches) allowed = true;
    // A statement naming the caller and the action says more about the refusal than one for
    // someone else: its reason comes first.
    else if (principalOk && actionOk) close.push(`${at}: ${conditionNot}`);
    else
      reasons.push(
        !principalOk ? `${at} does not name ${req.principalArn}` : `${at} does not allow ${req.action}`,
      );
  }
  const why = [...close, ...reasons];
  return allowed
    ? { allowed, reasons: [] }
    : { allowed, reasons: why.length ? why : ["no statement allows it"] };
}
