import { usageError } from "../../shared/errors.js";
import type { PolicyDocumentShape } from "./document.js";

// The Amplify CLI policy of seed 001, as data. Each action belongs to the category its prefix
// serves, so `--without auth` drops the cognito lines exactly as the seed describes. "core"
// (CloudFormation, IAM, the S3 deployment bucket, Amplify itself) is what every project needs.

export const AMPLIFY_CLI_CATEGORIES = {
  core: ["cloudformation", "iam", "s3", "amplify"],
  auth: ["cognito-identity", "cognito-idp"],
  api: ["appsync", "apigateway"],
  storage: ["dynamodb"],
  function: ["lambda"],
  hosting: ["cloudfront"],
} as const;

export type AmplifyCliCategory = keyof typeof AMPLIFY_CLI_CATEGORIES;
export const REMOVABLE_CATEGORIES = (Object.keys(AMPLIFY_CLI_CATEGORIES) as AmplifyCliCategory[]).filter(
  (c) => c !== "core",
);

const ACTIONS: Record<string, string[]> = {
  appsync: ["*"],
  apigateway: ["POST", "DELETE", "PATCH", "PUT"],
  cloudformation: [
    "CreateStack",
    "CreateStackSet",
    "DeleteStack",
    "DeleteStackSet",
    "DescribeStackEvents",
    "DescribeStackResource",
    "DescribeStackResources",
    "DescribeStackSet",
    "DescribeStackSetOperation",
    "DescribeStacks",
    "UpdateStack",
    "UpdateStackSet",
  ],
  cloudfront: [
    "CreateCloudFrontOriginAccessIdentity",
    "CreateDistribution",
    "DeleteCloudFrontOriginAccessIdentity",
    "DeleteDistribution",
    "GetCloudFrontOriginAccessIdentity",
    "GetCloudFrontOriginAccessIdentityConfig",
    "GetDistribution",
    "GetDistributionConfig",
    "TagResource",
    "UntagResource",
    "UpdateCloudFrontOriginAccessIdentity",
    "UpdateDistribution",
  ],
  "cognito-identity": [
    "CreateIdentityPool",
    "DeleteIdentityPool",
    "DescribeIdentity",
    "DescribeIdentityPool",
    "SetIdentityPoolRoles",
    "UpdateIdentityPool",
  ],
  "cognito-idp": [
    "CreateUserPool",
    "CreateUserPoolClient",
    "DeleteUserPool",
    "DeleteUserPoolClient",
    "DescribeUserPool",
    "UpdateUserPool",
    "UpdateUserPoolClient",
  ],
  dynamodb: [
    "CreateTable",
    "DeleteItem",
    "DeleteTable",
    "DescribeTable",
    "PutItem",
    "UpdateItem",
    "UpdateTable",
  ],
  iam: [
    "CreateRole",
    "DeleteRole",
    "DeleteRolePolicy",
    "GetRole",
    "GetUser",
    "PassRole",
    "PutRolePolicy",
    "UpdateRole",
  ],
  lambda: [
    "AddPermission",
    "CreateFunction",
    "DeleteFunction",
    "GetFunction",
    "GetFunctionConfiguration",
    "InvokeAsync",
    "InvokeFunction",
    "RemovePermission",
    "UpdateFunctionCode",
    "UpdateFunctionConfiguration",
  ],
  s3: ["*"],
  amplify: ["*"],
};

// Seed 001's order: alphabetical by service, with s3 and amplify last.
const SERVICE_ORDER = [
  "appsync",
  "apigateway",
  "cloudformation",
  "cloudfront",
  "cognito-identity",
  "cognito-idp",
  "dynamodb",
  "iam",
  "lambda",
  "s3",
  "amplify",
];

export function parseCategories(list: string, source: string): AmplifyCliCategory[] {
  const out: AmplifyCliCategory[] = [];
  for (const raw of list
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean)) {
    if (!(REMOVABLE_CATEGORIES as string[]).includes(raw)) {
      throw usageError(
        "invalid_value",
        `Invalid category ${JSON.stringify(raw)} (${source}): must be one of ${REMOVABLE_CATEGORIES.join(", ")}.`,
        {
          hint:
            raw === "core"
              ? "core (CloudFormation, IAM, S3, Amplify) is needed by every Amplify project."
              : undefined,
        },
      );
    }
    out.push(raw as AmplifyCliCategory);
  }
  return out;
}

export function amplifyCliPolicy(without: AmplifyCliCategory[] = []): PolicyDocumentShape {
  const dropped = new Set<string>(without.flatMap((c) => [...AMPLIFY_CLI_CATEGORIES[c]]));
  const actions = SERVICE_ORDER.filter((service) => !dropped.has(service)).flatMap((service) =>
    (ACTIONS[service] ?? []).map((a) => `${service}:${a}`),
  );
  return {
    Version: "2012-10-17",
    Statement: [{ Sid: "VisualEditor0", Effect: "Allow", Action: actions, Resource: "*" }],
  };
}
