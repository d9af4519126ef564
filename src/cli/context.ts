import { homedir } from "node:os";
import type { AmplifyClient } from "@aws-sdk/client-amplify";
import type { IAMClient } from "@aws-sdk/client-iam";
import type { STSClient } from "@aws-sdk/client-sts";
import type { ClientOptions } from "../aws/clients.js";
import type { AwsSettings } from "../aws/settings.js";
import { awsFilePaths, loadSharedConfig, profileSettings, type SharedConfig } from "../config/files.js";
import { resolveAwsSettings } from "../core/aws-settings.js";
import { nonInteractiveReason } from "../io/interactive.js";
import { interceptInterrupts } from "../io/interrupt.js";
import { colorEnabled, createOutput, type Output } from "../io/output.js";
import { createInquirerPrompter, createNonInteractivePrompter, type Prompter } from "../io/prompter.js";
import { type Progress, startProgress } from "../io/spinner.js";
import type { Env } from "../shared/env.js";
import { RolectlError } from "../shared/errors.js";

/** The global options every command accepts (see DESIGN.md, command-line contract). */
export interface GlobalOptions {
  profile?: string;
  region?: string;
  endpointUrl?: string;
  json?: boolean;
  input?: boolean;
  yes?: boolean;
  dryRun?: boolean;
  debug?: boolean;
}

export interface ProcessIo {
  env: Env;
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  home?: string;
  /** Set by a command whose exit status is not simply success (exec passes its child's on). */
  exitStatus?: { code?: number };
  /** Values to mask on stderr, shared with the error printer of the run. */
  secrets?: Set<string>;
}

/** What a command handler gets: parsed globals, output, prompter and lazily built AWS clients. */
export interface CliContext {
  opts: GlobalOptions;
  env: Env;
  home: string;
  out: Output;
  /** Why prompting is off, or undefined when rolectl may ask. */
  nonInteractive: string | undefined;
  /** Standard input is a terminal (so Ctrl-C reaches a child through the terminal, not us). */
  stdinIsTTY: boolean;

  prompter: Prompter;
  sharedConfig(): Promise<SharedConfig>;
  awsSettings(): Promise<AwsSettings>;
  iam(): Promise<IAMClient>;
  sts(): Promise<STSClient>;
  amplify(): Promise<AmplifyClient>;
  progress(text: string): Promise<Progress>;
  /** Runs slow work under a spinner that shows each step; the spinner says so if it fails. */
  withProgress<T>(label: string, work: (onStep: (step: string) => void) => Promise<T>): Promise<T>;
  setExitCode(code: number): void;
  /** Clients acting with another profile's credentials (cross-account setup holds two). */
  clientsFor(profile: string): {
    iam(): Promise<IAMClient>;
    sts(): Promise<STSClient>;
    settings(): Promise<AwsSettings>;
    stsAs(credentials: { accessKeyId: string; secretAccessKey: string }): Promise<STSClient>;
  };
  /** STS of --profile's region and endpoint, acting with the given keys. */
  stsAs(credentials: { accessKeyId: string; secretAccessKey: string }): Promise<STSClient>;
}

const once = <T>(fn: () => Promise<T>): (() => Promise<T>) => {
  let p: Promise<T> | undefined;
  return () => {
    p ??= fn();
    return p;
  };
};

export function createContext(opts: GlobalOptions, io: ProcessIo): CliContext {
  const out = createOutput({
    json: opts.json === true,
    debug: opts.debug === true,
    stdout: io.stdout,
    stderr: io.stderr,
    color: colorEnabled(io.stderr, io.env),
    ...(io.secrets ? { secrets: io.secrets } : {}),
  });
  const reason = nonInteractiveReason({
    noInputFlag: opts.input === false,
    env: io.env,
    stdinIsTTY: io.stdin.isTTY === true,
  });
  const home = io.home ?? homedir();
  const sharedConfig = once(async () => loadSharedConfig(awsFilePaths(io.env, home)));
  const clients = () => import("../aws/clients.js");
  /** Settings and lazily built clients for one profile (undefined: --profile / AWS_PROFILE). */
  const makeClients = (profile: string | undefined) => {
    const settings = once(async () =>
      resolveAwsSettings({
        ...(profile !== undefined ? { profile } : {}),
        ...(opts.region !== undefined ? { region: opts.region } : {}),
        ...(opts.endpointUrl !== undefined ? { endpointUrl: opts.endpointUrl } : {}),
        env: io.env,
        shared: await sharedConfig(),
      }),
    );
    const options = async (): Promise<ClientOptions> => {
      const resolved = await settings();
      const viaRolectl = resolved.profile ? await plannable(resolved.profile) : false;
      return {
        settings: resolved,
        // A role profile rolectl can plan gets its credentials the way `assume` does (cache, MFA
        // sources, prompt), not from the SDK's chain, which cannot ask for an MFA code. Others
        // (web identity, instance metadata, SSO sources) stay with the SDK.
        ...(viaRolectl && resolved.profile
          ? { credentials: roleCredentials(resolved.profile, resolved) }
          : {}),
        ...(opts.debug ? { debug: (line: string) => out.debug(line) } : {}),
      };
    };
    return {
      settings,
      iam: once(async () => (await clients()).createIamClient(await options())),
      sts: once(async () => (await clients()).createStsClient(await options())),
      amplify: once(async () => (await clients()).createAmplifyClient(await options())),
      /** STS with other credentials (a new access key being proved), same region and endpoint. */
      stsAs: async (credentials: { accessKeyId: string; secretAccessKey: string }) =>
        (await clients()).createStsClient({ ...(await options()), credentials }),
    };
  };
  /** A role (or IAM Identity Center) profile whose whole chain rolectl can resolve itself. */
  const plannable = async (profile: string): Promise<boolean> => {
    const shared = await sharedConfig();
    const p = profileSettings(shared, profile);
    if (!p?.role_arn && !p?.sso_session && !p?.sso_start_url) return false;
    const { planCredentialRequest } = await import("../core/assume/request.js");
    try {
      planCredentialRequest(shared, io.env, { profile });
      return true;
    } catch {
      return false; // the SDK's chain takes it, and reports its own errors
    }
  };
  /**
   * Credentials of a role profile through rolectl's own chain, shared by every client of this
   * run (one MFA code, one prompt) and renewed only when they are about to expire.
   */
  type Held = { accessKeyId: string; secretAccessKey: string; sessionToken: string; expiration: Date };
  const held = new Map<string, Promise<Held>>();
  const roleCredentials = (profile: string, profileSettingsNow: AwsSettings) => async (): Promise<Held> => {
    const current = held.get(profile);
    if (current && (await current).expiration.getTime() - Date.now() > 5 * 60_000) return current;
    const fresh = (async (): Promise<Held> => {
      const [{ planCredentialRequest }, { resolveChainCredentials }, { buildChainDeps }] = await Promise.all([
        import("../core/assume/request.js"),
        import("../core/assume/chain.js"),
        import("./credentials.js"),
      ]);
      const { plan } = planCredentialRequest(await sharedConfig(), io.env, { profile });
      const deps = await buildChainDeps(self, {}, { settings: profileSettingsNow });
      const { credentials: c } = await resolveChainCredentials(plan, deps);
      out.addSecret(c.SecretAccessKey);
      out.addSecret(c.SessionToken);
      return {
        accessKeyId: c.AccessKeyId,
        secretAccessKey: c.SecretAccessKey,
        sessionToken: c.SessionToken,
        expiration: new Date(c.Expiration),
      };
    })();
    held.set(profile, fresh);
    fresh.catch(() => held.delete(profile));
    return fresh;
  };
  const main = makeClients(opts.profile);
  const progress = (text: string) => startProgress(text, io.stderr, !opts.json || io.stderr.isTTY === true);
  const byProfile = new Map<string, ReturnType<typeof makeClients>>();
  const clientsFor = (profile: string) => {
    const entry = byProfile.get(profile) ?? makeClients(profile);
    byProfile.set(profile, entry);
    return entry;
  };

  const self: CliContext = {
    opts,
    env: io.env,
    home,
    out,
    nonInteractive: reason,
    stdinIsTTY: io.stdin.isTTY === true,
    prompter: reason
      ? createNonInteractivePrompter(reason)
      : createInquirerPrompter({ input: io.stdin, output: io.stderr }),
    sharedConfig,
    awsSettings: main.settings,
    iam: main.iam,
    sts: main.sts,
    amplify: main.amplify,
    progress,
    async withProgress(label, work) {
      const spinner = await progress(label);
      let stopping = false;
      const release = interceptInterrupts(() => {
        stopping = true;
        out.warn("Stopping after the current step (press Ctrl-C again to stop at once)…");
      });
      try {
        const result = await work((step) => {
          if (stopping) throw new RolectlError("interrupted", "Interrupted.");
          spinner.update(`${label}: ${step}`);
        });
        spinner.stop();
        return result;
      } catch (err) {
        spinner.fail(`${label}: ${stopping ? "stopped" : "failed"}`);
        throw err;
      } finally {
        release();
      }
    },
    clientsFor,
    stsAs: main.stsAs,
    setExitCode: (code) => {
      if (io.exitStatus) io.exitStatus.code = code;
    },
  };
  return self;
}
