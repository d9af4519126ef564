import type { IAMClient } from "@aws-sdk/client-iam";
import type { STSClient } from "@aws-sdk/client-sts";
import { customerPolicyArn, partitionOf } from "../../shared/arn.js";
import { type Action, actionOf, applySteps, type Step } from "../steps.js";
import { getCallerIdentity } from "../whoami.js";
import type { PolicyDocumentShape } from "./document.js";
import {
  type AttachTarget,
  type ManagedPolicyPlan,
  type ManagedPolicyResult,
  managedPolicyResult,
  planAttachment,
  planManagedPolicy,
} from "./managed.js";

// `policy … --create NAME [--attach-user U | --attach-role R]`: a customer managed policy in the
// caller's account, converged and attached, planned from reads before anything is written.

export interface PolicyRequest {
  name: string;
  document: PolicyDocumentShape;
  description: string;
  attach: AttachTarget;
}

export interface PolicyProvisionPlan {
  policy: ManagedPolicyPlan;
  attach: Step[];
  /** Every step, in order: what --dry-run prints and apply runs. */
  steps: Step[];
}

export interface PolicyProvisionResult extends ManagedPolicyResult {
  actions: Action[];
  /** A new attachment was (or, with --dry-run, would be) made. */
  attached: boolean;
}

export async function planPolicyProvision(
  clients: { iam: Pick<IAMClient, "send">; sts: Pick<STSClient, "send"> },
  req: PolicyRequest,
): Promise<PolicyProvisionPlan> {
  const caller = await getCallerIdentity(clients.sts);
  const arn = customerPolicyArn(partitionOf(caller.arn), caller.account, req.name);
  const policy = await planManagedPolicy(clients.iam, {
    arn,
    name: req.name,
    document: req.document,
    description: req.description,
  });
  const attach = await planAttachment(clients.iam, req.attach, arn);
  return { policy, attach, steps: [...policy.steps, ...attach] };
}

/** Runs the plan and says what was done. */
export async function applyPolicyProvision(
  plan: PolicyProvisionPlan,
  onStep?: (description: string) => void,
): Promise<PolicyProvisionResult> {
  return policyResult(plan, await applySteps(plan.steps, onStep));
}

/** What the plan would do (--dry-run): the same lines apply would report. */
export const plannedPolicyProvision = (plan: PolicyProvisionPlan): PolicyProvisionResult =>
  policyResult(plan, undefined);

function policyResult(plan: PolicyProvisionPlan, applied: Action[] | undefined): PolicyProvisionResult {
  return {
    ...managedPolicyResult(plan.policy, applied === undefined),
    actions: applied ?? plan.steps.map(actionOf),
    attached: plan.attach.length > 0,
  };
}
