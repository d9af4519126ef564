import {
  CreateServiceLinkedRoleCommand,
  DeleteServiceLinkedRoleCommand,
  GetRoleCommand,
  GetServiceLinkedRoleDeletionStatusCommand,
  type IAMClient,
  ListAttachedRolePoliciesCommand,
  ListRolesCommand,
  type Role,
  UpdateRoleDescriptionCommand,
} from "@aws-sdk/client-iam";
import { awsErrorName, RolectlError, usageError } from "../../shared/errors.js";
import { decodePolicyDocument, trustPrincipals } from "../policies/document.js";
import { type LastUsed, lastUsedOf } from "../roles/role-state.js";
import type { Action } from "../steps.js";

// Service-linked roles (SLRs) live under /aws-service-role/<service>/ and are named by their
// service. Names differ between AWS and emulators (AWS: AWSServiceRoleForAmazonConnect_x,
// moto: AWSServiceRoleForconnect_x), so roles are found by path and trust principal only.

export const SLR_PATH_PREFIX = "/aws-service-role/";

type Iam = Pick<IAMClient, "send">;

export interface ServiceLinkedRole {
  name: string;
  arn: string;
  service: string;
  path: string;
  // --json keys are always there: null when IAM has none.
  created: string | null;
  description: string | null;
  lastUsed: LastUsed | null;
}

export function serviceOfPath(path: string | undefined): string | undefined {
  if (!path?.startsWith(SLR_PATH_PREFIX)) return undefined;
  return path.slice(SLR_PATH_PREFIX.length).split("/")[0] || undefined;
}

export const isServiceLinked = (role: Pick<Role, "Path">): boolean => serviceOfPath(role.Path) !== undefined;

function toServiceLinkedRole(role: Role): ServiceLinkedRole {
  const lastUsed = lastUsedOf(role);
  return {
    name: role.RoleName ?? "",
    arn: role.Arn ?? "",
    service: serviceOfPath(role.Path) ?? "",
    path: role.Path ?? "",
    created: role.CreateDate ? role.CreateDate.toISOString() : null,
    description: role.Description ?? null,
    lastUsed: lastUsed ?? null,
  };
}

/** True when the role's trust policy names the service (guards against look-alike paths). */
function trustsService(role: Role, service: string): boolean {
  return trustPrincipals(decodePolicyDocument(role.AssumeRolePolicyDocument)).includes(`Service:${service}`);
}

async function listRolesUnder(iam: Iam, pathPrefix: string): Promise<Role[]> {
  const roles: Role[] = [];
  let marker: string | undefined;
  do {
    const page = await iam.send(
      new ListRolesCommand({ PathPrefix: pathPrefix, ...(marker ? { Marker: marker } : {}) }),
    );
    roles.push(...(page.Roles ?? []));
    marker = page.IsTruncated ? page.Marker : undefined;
  } while (marker);
  return roles;
}

/** Every SLR in the account (or of one service), with last-used details, sorted by service and name. */
export async function listServiceLinkedRoles(iam: Iam, service?: string): Promise<ServiceLinkedRole[]> {
  const roles = (
    await listRolesUnder(iam, service ? `${SLR_PATH_PREFIX}${service}/` : SLR_PATH_PREFIX)
  ).filter((r) => isServiceLinked(r) && (!service || serviceOfPath(r.Path) === service));
  // ListRoles leaves out RoleLastUsed; GetRole has it. A few at a time to stay under throttling.
  const detailed: Role[] = [];
  for (let i = 0; i < roles.length; i += 4) {
    const batch = roles.slice(i, i + 4);
    detailed.push(
      ...(await Promise.all(
        batch.map(async (r) => (await iam.send(new GetRoleCommand({ RoleName: r.RoleName }))).Role ?? r),
      )),
    );
  }
  return detailed
    .map(toServiceLinkedRole)
    .sort((a, b) => a.service.localeCompare(b.service) || a.name.localeCompare(b.name));
}

/**
 * The existing SLR of a service: with a suffix, the one named "…_<suffix>"; without, the one
 * with the shortest name (the service's unsuffixed role). Found by path and trust, not by name.
 */
export async function findServiceLinkedRole(
  iam: Iam,
  service: string,
  suffix?: string,
): Promise<Role | undefined> {
  const candidates = (await listRolesUnder(iam, `${SLR_PATH_PREFIX}${service}/`)).filter(
    (r) => serviceOfPath(r.Path) === service && trustsService(r, service),
  );
  if (suffix) return candidates.find((r) => r.RoleName?.endsWith(`_${suffix}`));
  return candidates.sort((a, b) => (a.RoleName?.length ?? 0) - (b.RoleName?.length ?? 0))[0];
}

export interface CreateRequest {
  service: string;
  suffix?: string;
  description?: string;
}

/** What `slr create` will do: nothing when the role exists, else one create call. */
export interface CreatePlan extends CreateRequest {
  existing?: ServiceLinkedRole;
  /** What --dry-run prints and what apply then reports. */
  actions: Action[];
}

export interface CreateResult {
  status: "created" | "exists";
  role: ServiceLinkedRole;
  service: string;
  actions: Action[];
}

const createAction = (req: CreateRequest): Action => ({
  description: `create the service-linked role of ${req.service}${req.suffix ? ` with suffix ${req.suffix}` : ""}`,
  operation: "iam:CreateServiceLinkedRole",
  target: req.service,
});

export async function planServiceLinkedRole(iam: Iam, req: CreateRequest): Promise<CreatePlan> {
  const existing = await findServiceLinkedRole(iam, req.service, req.suffix);
  return existing
    ? { ...req, existing: toServiceLinkedRole(existing), actions: [] }
    : { ...req, actions: [createAction(req)] };
}

export async function applyServiceLinkedRole(iam: Iam, plan: CreatePlan): Promise<CreateResult> {
  if (plan.existing) return { status: "exists", role: plan.existing, service: plan.service, actions: [] };
  try {
    const out = await iam.send(
      new CreateServiceLinkedRoleCommand({
        AWSServiceName: plan.service,
        ...(plan.suffix ? { CustomSuffix: plan.suffix } : {}),
        ...(plan.description ? { Description: plan.description } : {}),
      }),
    );
    if (!out.Role) throw new RolectlError("aws_error", "CreateServiceLinkedRole returned no role.");
    return {
      status: "created",
      role: toServiceLinkedRole(out.Role),
      service: plan.service,
      actions: plan.actions,
    };
  } catch (err) {
    // Another process may have created it since we looked: AWS says "has been taken".
    if (awsErrorName(err) === "EntityAlreadyExists" || /has been taken/i.test((err as Error).message)) {
      const now = await findServiceLinkedRole(iam, plan.service, plan.suffix);
      if (now)
        return { status: "exists", role: toServiceLinkedRole(now), service: plan.service, actions: [] };
    }
    if (awsErrorName(err) === "InvalidInput" && plan.suffix && /suffix/i.test((err as Error).message)) {
      throw new RolectlError("suffix_not_allowed", (err as Error).message, {
        cause: err,
        hint: `${plan.service} does not take --suffix; only some services do (e.g. autoscaling, connect, lexv2). Run without --suffix.`,
      });
    }
    throw err;
  }
}

/** Reads a role and insists that it is service-linked (AWS only lets the service change it). */
export async function getServiceLinkedRole(iam: Iam, name: string): Promise<Role> {
  const role = (await iam.send(new GetRoleCommand({ RoleName: name }))).Role;
  if (!role) throw new RolectlError("not_found", `Role ${name} was not found.`);
  if (!isServiceLinked(role)) {
    throw usageError(
      "not_service_linked",
      `Role ${name} is not a service-linked role (its path is ${role.Path}).`,
      {
        hint: "Service-linked roles live under /aws-service-role/; use `rolectl role show|delete` for other roles.",
      },
    );
  }
  return role;
}

export interface RoleDetails extends ServiceLinkedRole {
  trustedBy: string[];
  attachedPolicies: { name: string; arn: string }[];
  maxSessionDuration?: number;
}

export async function describeServiceLinkedRole(
  iam: Iam,
  nameOrService: { name?: string; service?: string },
): Promise<RoleDetails> {
  let name = nameOrService.name;
  if (!name && nameOrService.service) {
    const found = await findServiceLinkedRole(iam, nameOrService.service);
    if (!found?.RoleName) {
      throw new RolectlError(
        "not_found",
        `No service-linked role for ${nameOrService.service} in this account.`,
        {
          hint: `Create it with \`rolectl slr create --service ${nameOrService.service}\`.`,
        },
      );
    }
    name = found.RoleName;
  }
  const role = await getServiceLinkedRole(iam, name ?? "");
  const attached = await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: role.RoleName }));
  return {
    ...toServiceLinkedRole(role),
    trustedBy: trustPrincipals(decodePolicyDocument(role.AssumeRolePolicyDocument)),
    attachedPolicies: (attached.AttachedPolicies ?? []).map((p) => ({
      name: p.PolicyName ?? "",
      arn: p.PolicyArn ?? "",
    })),
    ...(role.MaxSessionDuration ? { maxSessionDuration: role.MaxSessionDuration } : {}),
  };
}

/** What `slr update-description` will do; `actions` is empty when the text is already set. */
export interface DescriptionPlan {
  name: string;
  arn: string;
  previous: string | null;
  description: string;
  changed: boolean;
  actions: Action[];
}

export async function planDescriptionUpdate(
  iam: Iam,
  name: string,
  description: string,
): Promise<DescriptionPlan> {
  const role = await getServiceLinkedRole(iam, name);
  const changed = role.Description !== description;
  return {
    name,
    arn: role.Arn ?? "",
    previous: role.Description ?? null,
    description,
    changed,
    actions: changed
      ? [
          {
            description: `set the description of ${name}`,
            operation: "iam:UpdateRoleDescription",
            target: name,
          },
        ]
      : [],
  };
}

export async function applyDescriptionUpdate(iam: Iam, plan: DescriptionPlan): Promise<DescriptionPlan> {
  if (plan.changed)
    await iam.send(new UpdateRoleDescriptionCommand({ RoleName: plan.name, Description: plan.description }));
  return plan;
}

/** What `slr delete` will do: one deletion task, for a role checked to be service-linked. */
export interface DeletionPlan {
  name: string;
  arn: string;
  actions: Action[];
}

export async function planServiceLinkedRoleDeletion(iam: Iam, name: string): Promise<DeletionPlan> {
  const role = await getServiceLinkedRole(iam, name);
  return {
    name,
    arn: role.Arn ?? "",
    actions: [
      { description: `delete ${name}`, operation: "iam:DeleteServiceLinkedRole", target: role.Arn ?? name },
    ],
  };
}

export interface DeletionStarted extends DeletionPlan {
  deletionTaskId: string;
}

export async function startServiceLinkedRoleDeletion(iam: Iam, plan: DeletionPlan): Promise<DeletionStarted> {
  const out = await iam.send(new DeleteServiceLinkedRoleCommand({ RoleName: plan.name }));
  return { ...plan, deletionTaskId: out.DeletionTaskId ?? "" };
}

export type DeletionState = "NOT_STARTED" | "IN_PROGRESS" | "SUCCEEDED" | "FAILED";

export interface RoleUsage {
  region: string;
  resources: string[];
}

export interface DeletionStatus {
  deletionTaskId: string;
  status: DeletionState;
  reason?: string;
  usage: RoleUsage[];
}

export async function getDeletionStatus(iam: Iam, deletionTaskId: string): Promise<DeletionStatus> {
  const out = await iam.send(
    new GetServiceLinkedRoleDeletionStatusCommand({ DeletionTaskId: deletionTaskId }),
  );
  return {
    deletionTaskId,
    status: (out.Status ?? "NOT_STARTED") as DeletionState,
    ...(out.Reason?.Reason ? { reason: out.Reason.Reason } : {}),
    usage: (out.Reason?.RoleUsageList ?? []).map((u) => ({
      region: u.Region ?? "?",
      resources: u.Resources ?? [],
    })),
  };
}

export interface WaitOptions {
  timeoutMs: number;
  /** Called after every poll, e.g. to update a spinner. */
  onPoll?: (status: DeletionStatus, elapsedMs: number) => void;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
  firstDelayMs?: number;
  maxDelayMs?: number;
}

/**
 * Polls until SUCCEEDED or FAILED with exponential backoff, bounded by timeoutMs. A FAILED
 * deletion is a conflict error listing what still uses the role; a timeout names the task id.
 */
export async function waitForDeletion(
  iam: Iam,
  deletionTaskId: string,
  options: WaitOptions,
): Promise<DeletionStatus> {
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const now = options.now ?? Date.now;
  const started = now();
  let delay = options.firstDelayMs ?? 500;
  for (;;) {
    const status = await getDeletionStatus(iam, deletionTaskId);
    const elapsed = now() - started;
    options.onPoll?.(status, elapsed);
    if (status.status === "SUCCEEDED") return status;
    if (status.status === "FAILED") throw deletionFailedError(status);
    const remaining = options.timeoutMs - elapsed;
    if (remaining <= 0) {
      throw new RolectlError(
        "timeout",
        `Deletion still ${status.status} after ${Math.round(elapsed / 1000)} s (task ${deletionTaskId}).`,
        { hint: `Check it later with \`rolectl slr delete --status ${deletionTaskId}\`.` },
      );
    }
    await sleep(Math.min(delay, remaining));
    delay = Math.min(delay * 2, options.maxDelayMs ?? 5000);
  }
}

export function describeUsage(usage: RoleUsage[]): string {
  return usage
    .map((u) => `  ${u.region}: ${u.resources.length ? u.resources.join(", ") : "(resources not listed)"}`)
    .join("\n");
}

export function deletionFailedError(status: DeletionStatus): RolectlError {
  const usage = status.usage.length ? `\nStill using the role:\n${describeUsage(status.usage)}` : "";
  return new RolectlError(
    "deletion_failed",
    `Deletion failed (task ${status.deletionTaskId})${status.reason ? `: ${status.reason}` : "."}${usage}`,
    {
      hint: "Delete or detach the resources that still use the role, then run the deletion again.",
      details: {
        deletionTaskId: status.deletionTaskId,
        status: status.status,
        reason: status.reason,
        usage: status.usage,
      },
    },
  );
}
