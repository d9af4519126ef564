import { GetCallerIdentityCommand, type STSClient } from "@aws-sdk/client-sts";

export interface CallerIdentity {
  account: string;
  arn: string;
  userId: string;
}

export async function getCallerIdentity(sts: Pick<STSClient, "send">): Promise<CallerIdentity> {
  const out = await sts.send(new GetCallerIdentityCommand({}));
  return { account: out.Account ?? "", arn: out.Arn ?? "", userId: out.UserId ?? "" };
}
