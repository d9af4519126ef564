// ARNs rolectl builds. Parsing and checking them is in validate.ts.

/** Partition of an ARN ("aws", "aws-cn", "aws-us-gov"). */
export const partitionOf = (arn: string): string => arn.split(":")[1] || "aws";

export const roleArnOf = (partition: string, accountId: string, name: string, path = "/") =>
  `arn:${partition}:iam::${accountId}:role${path}${name}`;

export const customerPolicyArn = (partition: string, accountId: string, name: string) =>
  `arn:${partition}:iam::${accountId}:policy/${name}`;
