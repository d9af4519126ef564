import { CreateRoleCommand, IAMClient } from "@aws-sdk/client-iam";
import { AssumeRoleCommand, STSClient } from "@aws-sdk/client-sts";

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";

// moto picks the account from the access key: keys that AssumeRole returned for
// arn:aws:iam::<acct>:role/<any> act in <acct>. So one moto_server plays several accounts.

export interface Keys {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export const DEFAULT_KEYS: Keys = { accessKeyId: "AKIAIOSFODNN7DEFAULT", secretAccessKey: "x" };

/** Credentials that act in `account` on this moto. */
export async function keysFor(motoUrl: string, account: string): Promise<Keys> {
  const sts = new STSClient({ region: "us-east-1", endpoint: motoUrl, credentials: DEFAULT_KEYS });
  const out = await sts.send(
    new AssumeRoleCommand({
      RoleArn: `arn:aws:iam::${account}:role/admin`,
      RoleSessionName: "test-admin",
      DurationSeconds: 43200,
    }),
  );
  const c = out.Credentials;
  if (!c?.AccessKeyId || !c.SecretAccessKey) throw new Error("moto returned no credentials");
  return {
    accessKeyId: c.AccessKeyId,
    secretAccessKey: c.SecretAccessKey,
    ...(c.SessionToken ? { sessionToken: c.SessionToken } : {}),
  };
}

export const iamAs = (motoUrl: string, keys: Keys = DEFAULT_KEYS) =>
  new IAMClient({ region: "us-east-1", endpoint: motoUrl, credentials: keys });

export function credentialsSection(name: string, keys: Keys): string {
  return `[${name}]\naws_access_key_id = ${keys.accessKeyId}\naws_secret_access_key = ${keys.secretAccessKey}\n${keys.sessionToken ? `aws_session_token = ${keys.sessionToken}\n` : ""}`;
}

/** A role in `account` trusting `trustedAccount`, with optional external id and MFA conditions. */
export async function createTrustingRole(
  motoUrl: string,
  keys: Keys,
  opts: {
    name: string;
    trustedAccount: string;
    externalId?: string;
    requireMfa?: boolean;
    maxSessionDuration?: number;
  },
): Promise<string> {
  const condition: Record<string, Record<string, string>> = {};
  if (opts.externalId) condition.StringEquals = { "sts:ExternalId": opts.externalId };
  if (opts.requireMfa) condition.Bool = { "aws:MultiFactorAuthPresent": "true" };
  const out = await iamAs(motoUrl, keys).send(
    new CreateRoleCommand({
      RoleName: opts.name,
      ...(opts.maxSessionDuration ? { MaxSessionDuration: opts.maxSessionDuration } : {}),
      AssumeRolePolicyDocument: JSON.stringify({
        Version: "2012-10-17",
        Statement: [
          {
            Effect: "Allow",
            Principal: { AWS: `arn:aws:iam::${opts.trustedAccount}:root` },
            Action: "sts:AssumeRole",
            ...(Object.keys(condition).length ? { Condition: condition } : {}),
          },
        ],
      }),
    }),
  );
  return out.Role?.Arn ?? "";
}

/** A role in moto's default account with this trust policy (one that exists already is kept). */
export async function createRoleWithTrust(
  motoUrl: string,
  name: string,
  statements: Record<string, unknown>[],
): Promise<string> {
  const { CreateRoleCommand, IAMClient } = await import("@aws-sdk/client-iam");
  const iam = new IAMClient({ region: "us-east-1", endpoint: motoUrl, credentials: DEFAULT_KEYS });
  await iam
    .send(
      new CreateRoleCommand({
        RoleName: name,
        AssumeRolePolicyDocument: JSON.stringify({ Version: "2012-10-17", Statement: statements }),
      }),
    )
    .catch((err: { name?: string }) => {
      if (err.name !== "EntityAlreadyExistsException" && err.name !== "EntityAlreadyExists") throw err;
    });
  return `arn:aws:iam::123456789012:role/${name}`;
}

/** The trust statement of a GitHub Actions role: audience sts.amazonaws.com, subjects of org/repo. */
export const githubTrust = (account = "123456789012") => ({
  Effect: "Allow",
  Principal: { Federated: `arn:aws:iam::${account}:oidc-provider/token.actions.githubusercontent.com` },
  Action: "sts:AssumeRoleWithWebIdentity",
  Condition: {
    StringEquals: { "token.actions.githubusercontent.com:aud": "sts.amazonaws.com" },
    StringLike: { "token.actions.githubusercontent.com:sub": "repo:org/repo:*" },
  },
});
