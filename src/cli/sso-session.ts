import { spawn } from "node:child_process";
import { statSync } from "node:fs";
import { utimes, writeFile } from "node:fs/promises";
import { basename, join } from "node:path";
import type { AwsSettings } from "../aws/settings.js";
import { cacheDirFor } from "../cache/location.js";
import { readSsoToken, ssoCacheDir, ssoTokenPath, writeSsoToken } from "../cache/sso-token-cache.js";
import { ensureCacheDir } from "../cache/store.js";
import type { SignInPrompt, SsoTokenDeps } from "../core/sso/token.js";
import { acquireLock } from "../fs/lock.js";
import { writeToTty } from "../io/tty-prompt.js";
import type { SsoLogin } from "../shared/credentials.js";
import type { CliContext } from "./context.js";

// IAM Identity Center, wired to this process: the token file the AWS CLI shares, a lock in
// rolectl's cache directory, the sso-oidc client for the session's region, and where the
// sign-in URL and code are shown.

export interface SignInOptions {
  /**
   * Where a sign-in may be shown: "stderr" (`sso login`), "tty" (the terminal behind a
   * credential_process, whose stderr the AWS CLI swallows), or a reason it may not start.
   */
  show: "stderr" | "tty" | { refused: string };
  /** Never open a browser (--no-browser); the URL and code are printed. */
  noBrowser?: boolean;
}

/** Where the login's token lives (the AWS CLI's file). */
export const tokenPathFor = (ctx: CliContext, login: SsoLogin): string =>
  ssoTokenPath(ssoCacheDir(ctx.home), login.session ?? login.startUrl);

export async function ssoTokenDeps(
  ctx: CliContext,
  login: SsoLogin,
  settings: AwsSettings,
  o: SignInOptions,
): Promise<SsoTokenDeps> {
  const { createSsoOidcApi } = await import("../aws/sso.js");
  const path = tokenPathFor(ctx, login);
  const cacheDir = cacheDirFor(ctx.env, ctx.home);
  const debug = ctx.opts.debug ? (line: string) => ctx.out.debug(line) : undefined;
  const lockPath = join(cacheDir, `sso-${basename(path, ".json")}.lock`);
  const say = (text: string) => (o.show === "tty" ? writeToTty(`${text}\n`) : ctx.out.info(text));
  let announced = false;
  return {
    oidc: createSsoOidcApi(settings, login.region, debug),
    store: {
      read: () => {
        const token = readSsoToken(path);
        ctx.out.addSecret(token?.accessToken);
        ctx.out.addSecret(token?.refreshToken);
        ctx.out.addSecret(token?.clientSecret);
        return token;
      },
      write: async (token) => {
        ctx.out.addSecret(token.accessToken);
        ctx.out.addSecret(token.refreshToken);
        ctx.out.addSecret(token.clientSecret);
        await writeSsoToken(path, token);
      },
      failedAt: () => {
        try {
          return statSync(`${lockPath}.failed`).mtimeMs;
        } catch {
          return undefined;
        }
      },
      markFailed: async () => {
        await ensureCacheDir(cacheDir);
        await writeFile(`${lockPath}.failed`, "", { mode: 0o600 });
        const now = new Date();
        await utimes(`${lockPath}.failed`, now, now);
      },
    },
    lock: async () => {
      await ensureCacheDir(cacheDir);
      // A sign-in waits for a person: as long as a device code lives.
      return acquireLock(lockPath, { timeoutMs: 15 * 60_000, maxAgeMs: 15 * 60_000 }, (holder) =>
        say(
          `Waiting for ${holder ? `rolectl (pid ${holder.pid})` : "another rolectl"}, which is signing in to IAM Identity Center…`,
        ),
      );
    },
    now: Date.now,
    sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
    showSignIn: (prompt: SignInPrompt) => {
      const url = prompt.verificationUriComplete ?? prompt.verificationUri;
      const opened = !o.noBrowser && openBrowser(ctx, url);
      say(
        opened
          ? `Signing in to IAM Identity Center in your browser. If it did not open, go to ${prompt.verificationUri} and enter the code ${prompt.userCode}.`
          : `To sign in to IAM Identity Center, open ${prompt.verificationUri} and enter the code ${prompt.userCode}\n  (or open ${url}).`,
      );
    },
    waiting: () => {
      if (announced) return;
      announced = true;
      say("Waiting for the sign-in to be approved in the browser…");
    },
    ...(typeof o.show === "object" ? { noSignIn: o.show.refused } : {}),
  };
}

/**
 * Opens a browser where there is one to open: never in CI or over SSH, and only with a display
 * (or on macOS / Windows). False when none was started.
 */
function openBrowser(ctx: CliContext, url: string): boolean {
  const env = ctx.env;
  const set = (v: string | undefined) => v !== undefined && v !== "" && v !== "false" && v !== "0";
  if (set(env.CI) || set(env.SSH_CONNECTION) || set(env.ROLECTL_NO_BROWSER)) return false;
  const command =
    process.platform === "darwin"
      ? ["open", url]
      : process.platform === "win32"
        ? ["cmd", "/c", "start", "", url]
        : env.DISPLAY || env.WAYLAND_DISPLAY
          ? [env.BROWSER || "xdg-open", url]
          : undefined;
  if (!command) return false;
  try {
    const child = spawn(command[0] as string, command.slice(1), { detached: true, stdio: "ignore" });
    child.on("error", () => {});
    child.unref();
    return true;
  } catch {
    return false;
  }
}
