import type { AssumeRoleOutput } from "../shared/credentials.js";
import { RolectlError } from "../shared/errors.js";
import { createSsoClient, createSsoOidcClient } from "./clients.js";
import { type AwsSettings, unsignedSettings } from "./settings.js";

// IAM Identity Center's two unsigned APIs: sso-oidc (register a client, device authorization,
// tokens) and the portal (role credentials, accounts, roles, logout). Every token, client
// secret and device code here is a secret: none of them is logged (the clients log metadata).

export interface OidcClientRegistration {
  clientId: string;
  clientSecret: string;
  /** ms since the epoch */
  expiresAt: number;
}

export interface DeviceAuthorization {
  deviceCode: string;
  userCode: string;
  verificationUri: string;
  verificationUriComplete?: string;
  expiresInSeconds: number;
  intervalSeconds: number;
}

export interface TokenAnswer {
  accessToken: string;
  expiresInSeconds: number;
  refreshToken?: string;
}

export interface SsoOidcApi {
  registerClient(scopes: string[]): Promise<OidcClientRegistration>;
  startDeviceAuthorization(client: OidcClientRegistration, startUrl: string): Promise<DeviceAuthorization>;
  /** Throws the service's AuthorizationPending / SlowDown / ExpiredToken / AccessDenied errors. */
  tokenFromDeviceCode(client: OidcClientRegistration, deviceCode: string): Promise<TokenAnswer>;
  tokenFromRefreshToken(client: OidcClientRegistration, refreshToken: string): Promise<TokenAnswer>;
}

export interface SsoAccount {
  accountId: string;
  accountName: string;
  emailAddress?: string;
}

export interface SsoPortalApi {
  roleCredentials(accessToken: string, accountId: string, roleName: string): Promise<AssumeRoleOutput>;
  /** One page at a time: `next` is absent on the last. */
  listAccounts(accessToken: string, next?: string): Promise<{ accounts: SsoAccount[]; next?: string }>;
  listAccountRoles(
    accessToken: string,
    accountId: string,
    next?: string,
  ): Promise<{ roles: string[]; next?: string }>;
  logout(accessToken: string): Promise<void>;
}

const CLIENT_NAME = "rolectl";

export function createSsoOidcApi(
  settings: AwsSettings,
  region: string,
  debug?: (line: string) => void,
): SsoOidcApi {
  const client = createSsoOidcClient({
    settings: unsignedSettings(settings, region),
    ...(debug ? { debug } : {}),
  });
  const sdk = import("@aws-sdk/client-sso-oidc");
  const token = async (input: Record<string, unknown>): Promise<TokenAnswer> => {
    const { CreateTokenCommand } = await sdk;
    const out = await (await client).send(new CreateTokenCommand(input as never));
    if (!out.accessToken || !out.expiresIn)
      throw new RolectlError("aws_error", "sso-oidc:CreateToken returned no token.");
    return {
      accessToken: out.accessToken,
      expiresInSeconds: out.expiresIn,
      ...(out.refreshToken ? { refreshToken: out.refreshToken } : {}),
    };
  };
  return {
    async registerClient(scopes) {
      const { RegisterClientCommand } = await sdk;
      const out = await (await client).send(
        new RegisterClientCommand({
          clientName: CLIENT_NAME,
          clientType: "public",
          // As botocore registers: scopes (sso:account:access) are what earn a refresh token.
          ...(scopes.length ? { scopes } : {}),
        }),
      );
      if (!out.clientId || !out.clientSecret || !out.clientSecretExpiresAt)
        throw new RolectlError("aws_error", "sso-oidc:RegisterClient returned no client.");
      return {
        clientId: out.clientId,
        clientSecret: out.clientSecret,
        expiresAt: out.clientSecretExpiresAt * 1000,
      };
    },
    async startDeviceAuthorization(c, startUrl) {
      const { StartDeviceAuthorizationCommand } = await sdk;
      const out = await (await client).send(
        new StartDeviceAuthorizationCommand({ clientId: c.clientId, clientSecret: c.clientSecret, startUrl }),
      );
      if (!out.deviceCode || !out.userCode || !out.verificationUri)
        throw new RolectlError("aws_error", "sso-oidc:StartDeviceAuthorization returned no device code.");
      return {
        deviceCode: out.deviceCode,
        userCode: out.userCode,
        verificationUri: out.verificationUri,
        ...(out.verificationUriComplete ? { verificationUriComplete: out.verificationUriComplete } : {}),
        expiresInSeconds: out.expiresIn ?? 600,
        intervalSeconds: out.interval ?? 5,
      };
    },
    tokenFromDeviceCode: (c, deviceCode) =>
      token({
        clientId: c.clientId,
        clientSecret: c.clientSecret,
        grantType: "urn:ietf:params:oauth:grant-type:device_code",
        deviceCode,
      }),
    tokenFromRefreshToken: (c, refreshToken) =>
      token({ clientId: c.clientId, clientSecret: c.clientSecret, grantType: "refresh_token", refreshToken }),
  };
}

export function createSsoPortalApi(
  settings: AwsSettings,
  region: string,
  debug?: (line: string) => void,
): SsoPortalApi {
  const client = createSsoClient({
    settings: unsignedSettings(settings, region),
    ...(debug ? { debug } : {}),
  });
  const sdk = import("@aws-sdk/client-sso");
  return {
    async roleCredentials(accessToken, accountId, roleName) {
      const { GetRoleCredentialsCommand } = await sdk;
      const out = await (await client).send(
        new GetRoleCredentialsCommand({ accessToken, accountId, roleName }),
      );
      const c = out.roleCredentials;
      if (!c?.accessKeyId || !c.secretAccessKey || !c.sessionToken || !c.expiration)
        throw new RolectlError("aws_error", "sso:GetRoleCredentials returned no credentials.");
      return {
        credentials: {
          AccessKeyId: c.accessKeyId,
          SecretAccessKey: c.secretAccessKey,
          SessionToken: c.sessionToken,
          // The portal says when in epoch milliseconds.
          Expiration: new Date(c.expiration).toISOString(),
        },
      };
    },
    async listAccounts(accessToken, next) {
      const { ListAccountsCommand } = await sdk;
      const out = await (await client).send(
        new ListAccountsCommand({ accessToken, maxResults: 100, ...(next ? { nextToken: next } : {}) }),
      );
      return {
        accounts: (out.accountList ?? []).flatMap((a) =>
          a.accountId
            ? [
                {
                  accountId: a.accountId,
                  accountName: a.accountName ?? a.accountId,
                  ...(a.emailAddress ? { emailAddress: a.emailAddress } : {}),
                },
              ]
            : [],
        ),
        ...(out.nextToken ? { next: out.nextToken } : {}),
      };
    },
    async listAccountRoles(accessToken, accountId, next) {
      const { ListAccountRolesCommand } = await sdk;
      const out = await (await client).send(
        new ListAccountRolesCommand({
          accessToken,
          accountId,
          maxResults: 100,
          ...(next ? { nextToken: next } : {}),
        }),
      );
      return {
        roles: (out.roleList ?? []).flatMap((r) => (r.roleName ? [r.roleName] : [])),
        ...(out.nextToken ? { next: out.nextToken } : {}),
      };
    },
    async logout(accessToken) {
      const { LogoutCommand } = await sdk;
      await (await client).send(new LogoutCommand({ accessToken }));
    },
  };
}
