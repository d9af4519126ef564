import type { AmplifyClient } from "@aws-sdk/client-amplify";
import type { IAMClient } from "@aws-sdk/client-iam";
import type { STSClient } from "@aws-sdk/client-sts";
import type {
  AwsCredentialIdentity,
  AwsCredentialIdentityProvider,
  InitializeMiddleware,
} from "@aws-sdk/types";
import { VERSION } from "../version.js";
import { mapAwsError } from "./errors.js";
import type { AwsSettings, ServiceName } from "./settings.js";

// The only place SDK clients are built. The SDK modules are imported lazily so that commands
// that never call AWS (and the cache-hit path) do not pay for loading them.

export interface ClientOptions {
  settings: AwsSettings;
  /** Explicit credentials; when absent the SDK's default chain runs (with settings.profile). */
  credentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  /** Receives one line per AWS call; never given parameters or secrets. */
  debug?: (line: string) => void;
}

// biome-ignore lint/suspicious/noExplicitAny: one middleware serves every client's input/output types
type AnyInitializeMiddleware = InitializeMiddleware<any, any>;

interface Stackable {
  middlewareStack: { add(mw: AnyInitializeMiddleware, opts: { step: "initialize"; name: string }): void };
}

function baseConfig(service: ServiceName, { settings, credentials, debug }: ClientOptions) {
  const endpoint = settings.endpoints[service];
  debug?.(
    `${service}: region ${settings.region}, endpoint ${endpoint ?? "AWS default"}${settings.profile ? `, profile ${settings.profile}` : ""}`,
  );
  return {
    region: settings.region,
    ...(endpoint ? { endpoint } : {}),
    ...(credentials ? { credentials } : settings.profile ? { profile: settings.profile } : {}),
    maxAttempts: settings.maxAttempts,
    retryMode: "standard",
    // No call may hang: connecting gets 5 s, a whole request 30 s (then the retries apply).
    requestHandler: { connectionTimeout: 5000, requestTimeout: 30_000, throwOnRequestTimeout: true },
    customUserAgent: `rolectl/${VERSION}`,
  };
}

/**
 * Wraps every call: turns SDK errors into RolectlErrors (with the operation named) and, with
 * --debug, logs operation, status, attempts and time. Metadata only: never parameters.
 */
function instrument<T extends Stackable>(client: T, service: ServiceName, options: ClientOptions): T {
  const { debug, settings } = options;
  const middleware: AnyInitializeMiddleware = (next, context) => async (args) => {
    const started = Date.now();
    const operation = `${service}:${(context.commandName ?? "?").replace(/Command$/, "")}`;
    try {
      const result = await next(args);
      const meta = (result.output as { $metadata?: Metadata }).$metadata;
      debug?.(
        `${operation} -> ${meta?.httpStatusCode ?? "?"} in ${Date.now() - started} ms (attempts ${meta?.attempts ?? 1})`,
      );
      return result;
    } catch (err) {
      const meta = (err as { $metadata?: Metadata }).$metadata;
      debug?.(
        `${operation} -> ${(err as Error).name} ${meta?.httpStatusCode ?? ""} in ${Date.now() - started} ms (attempts ${meta?.attempts ?? 1})`,
      );
      throw mapAwsError(err, {
        operation,
        ...(settings.endpoints[service] ? { endpoint: settings.endpoints[service] } : {}),
        ...(settings.profile ? { profile: settings.profile } : {}),
      });
    }
  };
  client.middlewareStack.add(middleware, { step: "initialize", name: "rolectlInstrument" });
  return client;
}

interface Metadata {
  httpStatusCode?: number;
  attempts?: number;
}

export async function createIamClient(options: ClientOptions): Promise<IAMClient> {
  const { IAMClient } = await import("@aws-sdk/client-iam");
  return instrument(new IAMClient(baseConfig("iam", options)), "iam", options);
}

export async function createStsClient(options: ClientOptions): Promise<STSClient> {
  const { STSClient } = await import("@aws-sdk/client-sts");
  return instrument(new STSClient(baseConfig("sts", options)), "sts", options);
}

export async function createAmplifyClient(options: ClientOptions): Promise<AmplifyClient> {
  const { AmplifyClient } = await import("@aws-sdk/client-amplify");
  return instrument(new AmplifyClient(baseConfig("amplify", options)), "amplify", options);
}
