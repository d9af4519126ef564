import type { AmplifyClient } from "@aws-sdk/client-amplify";
import type { IAMClient } from "@aws-sdk/client-iam";
import type { SSOClient } from "@aws-sdk/client-sso";
import type { SSOOIDCClient } from "@aws-sdk/client-sso-oidc";
import type { STSClient } from "@aws-sdk/client-sts";
import type {
  AwsCredentialIdentity,
  AwsCredentialIdentityProvider,
  BuildMiddleware,
  DeserializeMiddleware,
  InitializeMiddleware,
} from "@aws-sdk/types";
import { RolectlError } from "../shared/errors.js";
import { redactUrl } from "../shared/validate.js";
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
// biome-ignore lint/suspicious/noExplicitAny: as above
type AnyDeserializeMiddleware = DeserializeMiddleware<any, any>;
// biome-ignore lint/suspicious/noExplicitAny: as above
type AnyBuildMiddleware = BuildMiddleware<any, any>;

interface Stackable {
  middlewareStack: {
    add(mw: AnyInitializeMiddleware, opts: { step: "initialize"; name: string }): void;
    add(mw: AnyBuildMiddleware, opts: { step: "build"; name: string }): void;
  };
}

interface Stackable2 {
  middlewareStack: {
    add(mw: AnyDeserializeMiddleware, opts: { step: "deserialize"; name: string; priority: "high" }): void;
  };
}

function baseConfig(service: ServiceName, { settings, credentials, debug }: ClientOptions) {
  const endpoint = settings.endpoints[service];
  debug?.(
    `${service}: region ${settings.region}, endpoint ${endpoint ? redactUrl(endpoint) : "AWS default"}${settings.profile ? `, profile ${settings.profile}` : ""}`,
  );
  return {
    region: settings.region,
    ...(endpoint ? { endpoint } : {}),
    ...(credentials ? { credentials } : settings.profile ? { profile: settings.profile } : {}),
    maxAttempts: settings.maxAttempts,
    retryMode: "standard",
    useFipsEndpoint: settings.useFipsEndpoint,
    useDualstackEndpoint: settings.useDualstackEndpoint,
    defaultsMode: settings.defaultsMode,
    authSchemePreference: settings.authSchemePreference,
    // A provider, not undefined: an undefined value makes the SDK look in the config files.
    userAgentAppId: async () => settings.userAgentAppId || undefined,
    disableClockSkewCorrection: settings.disableClockSkewCorrection,
    customUserAgent: `rolectl/${VERSION}`,
  };
}

// Far more than any IAM, STS or Amplify answer rolectl asks for (a page of 1,000 roles is a
// few MB); a larger body is a broken or hostile endpoint, not an answer.
const MAX_BODY_BYTES = 16 * 1024 * 1024;

/** The client settings, with an HTTP handler that no answer can hang or flood. */
async function clientConfig(service: ServiceName, options: ClientOptions) {
  const { BoundedHttpHandler } = await import("./bounded-http-handler.js");
  const { attemptTimeoutMs } = options.settings;
  return {
    ...baseConfig(service, options),
    // Connecting gets 5 s; an attempt a total deadline; the socket idles no longer than that.
    requestHandler: new BoundedHttpHandler(
      { attemptMs: attemptTimeoutMs, maxBodyBytes: MAX_BODY_BYTES },
      { connectionTimeout: 5000, requestTimeout: attemptTimeoutMs, throwOnRequestTimeout: true },
    ),
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
        ...(settings.endpoints[service]
          ? { endpoint: redactUrl(settings.endpoints[service] as string) }
          : {}),
        ...(settings.profile ? { profile: settings.profile } : {}),
      });
    }
  };
  client.middlewareStack.add(middleware, { step: "initialize", name: "rolectlInstrument" });
  // The whole call, retries and their back-off included, has a deadline too. It starts at the
  // build step, after the credentials were resolved: an MFA prompt or a lock wait for them is
  // not the network's time.
  const deadline: AnyBuildMiddleware = (next, context) => async (args) => {
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            callTimedOut(
              `${service}:${(context.commandName ?? "?").replace(/Command$/, "")}`,
              context.commandName ?? "",
              settings.callTimeoutMs,
            ),
          ),
        settings.callTimeoutMs,
      );
    });
    try {
      return await Promise.race([next(args), expired]);
    } finally {
      clearTimeout(timer);
    }
  };
  client.middlewareStack.add(deadline, { step: "build", name: "rolectlCallDeadline" });
  return client;
}

/** The call's deadline passed: for a call that mints something, AWS may have done it. */
function callTimedOut(operation: string, command: string, ms: number): RolectlError {
  const what = `${operation}: no answer within ${ms / 1000} s (ROLECTL_CALL_TIMEOUT)`;
  return CREATES_ANEW.has(command)
    ? new RolectlError("lost_answer", `${what}; AWS may or may not have done it.`, { hint: LOST_ANSWER_HINT })
    : new RolectlError("network", `${what}.`, {
        hint: "Check the network and the endpoint; ROLECTL_CALL_TIMEOUT and ROLECTL_ATTEMPT_TIMEOUT set the limits.",
      });
}

const LOST_ANSWER_HINT = "Run the same command again: rolectl reads what exists before it creates anything.";

interface Metadata {
  httpStatusCode?: number;
  attempts?: number;
}

/**
 * Calls that mint something new each time they run: sent again after a lost answer they would
 * make a second key or device, and the first one's secret would be seen by nobody.
 */
const CREATES_ANEW = new Set([
  "CreateAccessKeyCommand",
  "CreateVirtualMFADeviceCommand",
  "CreatePolicyVersionCommand",
]);

/**
 * A modelled 4xx answer from the service (throttling, limits, bad input): AWS did not act. A
 * dropped connection, a timeout, a 5xx, or a 200 whose body was cut off are not definite.
 */
function isDefiniteRefusal(err: unknown): boolean {
  const e = err as { $fault?: string; $metadata?: Metadata };
  const status = e.$metadata?.httpStatusCode;
  return e.$fault === "client" && status !== undefined && status >= 400 && status < 500;
}

/**
 * Inside the SDK's retry loop: when such a call fails without a definite answer (the connection
 * dropped, a timeout, a 5xx), stop the retries with `lost_answer`, so the caller reads the state
 * and decides. A throttling or other 4xx answer is definite (nothing was made) and retries as usual.
 */
function neverBlindlyRetried<T extends Stackable2>(client: T, service: ServiceName): T {
  const middleware: AnyDeserializeMiddleware = (next, context) => async (args) => {
    try {
      return await next(args);
    } catch (err) {
      const command = context.commandName ?? "";
      if (!CREATES_ANEW.has(command) || isDefiniteRefusal(err)) throw err;
      const operation = `${service}:${command.replace(/Command$/, "")}`;
      throw new RolectlError(
        "lost_answer",
        `${operation}: no definite answer (${(err as Error).message || (err as Error).name}); AWS may or may not have done it.`,
        // No `cause`: the SDK would find the network error in it and retry after all.
        { hint: LOST_ANSWER_HINT },
      );
    }
  };
  client.middlewareStack.add(middleware, {
    step: "deserialize",
    name: "rolectlNeverBlindlyRetried",
    priority: "high",
  });
  return client;
}

/** The sections shown to the SDK so far, by file and line, with the reading they came from. */
const shownToSdk = new Map<string, { source: object; sections: Map<number, string> }>();

/**
 * Hands the SDK the parts of the shared files rolectl has read, through the SDK's own hook for
 * file contents, so that its settings lookups do not parse a config of thousands of profiles.
 * The hook is per process, so a run with clients of two profiles (cross-account setup) shows the
 * SDK both profiles' sections: views only ever grow.
 */
async function shareFileViews(settings: AwsSettings): Promise<void> {
  if (!settings.fileViews.length) return;
  const { externalDataInterceptor } = await import("@smithy/core/config");
  for (const view of settings.fileViews) {
    // Views of the same reading of the file grow; a new reading (the file may have changed, in
    // a process that lives on) starts over.
    const shown = shownToSdk.get(view.path);
    const sections = shown?.source === view.source ? shown.sections : new Map<number, string>();
    for (const s of view.sections) sections.set(s.line, s.text);
    shownToSdk.set(view.path, { source: view.source, sections });
    const text = [...sections.entries()]
      .sort(([a], [b]) => a - b)
      .map(([, t]) => t)
      .join("");
    externalDataInterceptor.interceptFile(view.path, text);
  }
}

export async function createIamClient(options: ClientOptions): Promise<IAMClient> {
  await shareFileViews(options.settings);
  const { IAMClient } = await import("@aws-sdk/client-iam");
  return instrument(
    neverBlindlyRetried(new IAMClient(await clientConfig("iam", options)), "iam"),
    "iam",
    options,
  );
}

export async function createStsClient(options: ClientOptions): Promise<STSClient> {
  await shareFileViews(options.settings);
  const { STSClient } = await import("@aws-sdk/client-sts");
  return instrument(new STSClient(await clientConfig("sts", options)), "sts", options);
}

export async function createSsoClient(options: ClientOptions): Promise<SSOClient> {
  const { SSOClient } = await import("@aws-sdk/client-sso");
  return instrument(new SSOClient(await clientConfig("sso", options)), "sso", options);
}

export async function createSsoOidcClient(options: ClientOptions): Promise<SSOOIDCClient> {
  const { SSOOIDCClient } = await import("@aws-sdk/client-sso-oidc");
  return instrument(new SSOOIDCClient(await clientConfig("sso-oidc", options)), "sso-oidc", options);
}

export async function createAmplifyClient(options: ClientOptions): Promise<AmplifyClient> {
  await shareFileViews(options.settings);
  const { AmplifyClient } = await import("@aws-sdk/client-amplify");
  return instrument(new AmplifyClient(await clientConfig("amplify", options)), "amplify", options);
}
