import type { SsoAccount, SsoPortalApi } from "../../aws/sso.js";
import type { ProfileSettings } from "../../config/files.js";
import { usageError } from "../../shared/errors.js";
import { mapLimit } from "../../shared/map-limit.js";

// `sso populate`: the profiles one IAM Identity Center sign-in can reach, one per account and
// role, planned against the config as it is. A profile rolectl generated carries
// `rolectl_populated = <session>` (botocore ignores keys it does not know); any other profile
// is the user's and is never changed or removed.

export const POPULATED_KEY = "rolectl_populated";
export const DEFAULT_NAME_TEMPLATE = "{account_name}-{role_name}";

export interface AccountRoles {
  account: SsoAccount;
  roles: string[];
}

export interface PopulatePlan {
  add: { profile: string; values: Record<string, string> }[];
  update: { profile: string; values: Record<string, string> }[];
  /** Generated earlier for this session, no longer reachable: removed only with --prune. */
  stale: string[];
  unchanged: string[];
  /** A name that is taken by a profile the user wrote: left alone. */
  skipped: { profile: string; reason: string }[];
}

const PLACEHOLDERS = ["account_name", "account_id", "role_name", "session"] as const;

export function checkNameTemplate(template: string): string {
  const unknown = [...template.matchAll(/\{([^}]*)\}/g)]
    .map((m) => m[1] as string)
    .filter((p) => !(PLACEHOLDERS as readonly string[]).includes(p));
  if (unknown.length || !/\{account_(name|id)\}/.test(template) || !template.includes("{role_name}"))
    throw usageError(
      "invalid_value",
      `Invalid --name ${JSON.stringify(template)}: it must name the account ({account_name} or {account_id}) and {role_name}${unknown.length ? `, and ${unknown.map((u) => `{${u}}`).join(", ")} is not a placeholder` : ""}.`,
      { hint: `Placeholders: ${PLACEHOLDERS.map((p) => `{${p}}`).join(", ")}.` },
    );
  return template;
}

/** A profile name from the template: characters profiles allow, runs of others as one "-". */
export function profileNameFor(template: string, session: string, account: SsoAccount, role: string): string {
  const filled = template.replace(/\{(account_name|account_id|role_name|session)\}/g, (_, p: string) =>
    p === "account_name"
      ? account.accountName
      : p === "account_id"
        ? account.accountId
        : p === "role_name"
          ? role
          : session,
  );
  return (
    filled
      .replace(/[^\w+=,.@-]+/g, "-")
      .replace(/^-+|-+$/g, "")
      .slice(0, 64) || account.accountId
  );
}

export function planPopulate(o: {
  session: string;
  region: string;
  template: string;
  reachable: AccountRoles[];
  /** The config's profiles as they are now. */
  existing: Map<string, ProfileSettings>;
}): PopulatePlan {
  const plan: PopulatePlan = { add: [], update: [], stale: [], unchanged: [], skipped: [] };
  // A profile populated earlier for an account and role keeps its name, whatever appears since:
  // other profiles' source_profile may name it.
  const named = new Map<string, string>();
  for (const [profile, p] of o.existing)
    if (p[POPULATED_KEY] === o.session && p.sso_account_id && p.sso_role_name)
      named.set(`${p.sso_account_id}/${p.sso_role_name}`, profile);
  const taken = new Set(named.values());
  const wanted = new Map<string, Record<string, string>>();
  const sorted = [...o.reachable].sort((a, b) => a.account.accountId.localeCompare(b.account.accountId));
  for (const { account, roles } of sorted)
    for (const role of [...new Set(roles)].sort()) {
      let name = named.get(`${account.accountId}/${role}`);
      if (!name) {
        const base = profileNameFor(o.template, o.session, account, role);
        name = base;
        // Taken by another account and role: the account id (and then a count) tells them apart,
        // cut so that the whole name stays within 64 characters.
        for (let n = 1; taken.has(name); n++) {
          const suffix = n === 1 ? `-${account.accountId}` : `-${account.accountId}-${n}`;
          name = `${base.slice(0, 64 - suffix.length)}${suffix}`;
        }
      }
      taken.add(name);
      wanted.set(name, {
        sso_session: o.session,
        sso_account_id: account.accountId,
        sso_role_name: role,
        region: o.region,
        [POPULATED_KEY]: o.session,
      });
    }
  for (const [profile, values] of wanted) {
    const now = o.existing.get(profile);
    if (!now) plan.add.push({ profile, values });
    else if (now[POPULATED_KEY] !== o.session)
      plan.skipped.push({
        profile,
        reason: now[POPULATED_KEY] ? `generated for sso-session ${now[POPULATED_KEY]}` : "written by hand",
      });
    else if (Object.entries(values).every(([k, v]) => now[k] === v)) plan.unchanged.push(profile);
    else plan.update.push({ profile, values });
  }
  for (const [profile, settings] of o.existing)
    if (settings[POPULATED_KEY] === o.session && !wanted.has(profile)) plan.stale.push(profile);
  return plan;
}

/**
 * Every account the token reaches and its roles: the accounts page by page, then the roles of
 * `concurrency` accounts at a time (the portal throttles a burst of a thousand).
 */
export async function listReachable(
  portal: SsoPortalApi,
  accessToken: string,
  o: { concurrency: number; progress?: (done: number, total: number) => void },
): Promise<AccountRoles[]> {
  const accounts: SsoAccount[] = [];
  let next: string | undefined;
  do {
    const page = await portal.listAccounts(accessToken, next);
    accounts.push(...page.accounts);
    next = page.next;
  } while (next);
  return mapLimit(
    accounts,
    o.concurrency,
    async (account) => {
      const roles: string[] = [];
      let token: string | undefined;
      do {
        const page = await portal.listAccountRoles(accessToken, account.accountId, token);
        roles.push(...page.roles);
        token = page.next;
      } while (token);
      return { account, roles };
    },
    o.progress,
  );
}
