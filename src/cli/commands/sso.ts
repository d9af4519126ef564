import type { Command } from "commander";
import { cacheDirFor } from "../../cache/location.js";
import { removeSsoToken } from "../../cache/sso-token-cache.js";
import { deleteCacheEntry, listCacheEntries } from "../../cache/store.js";
import type { SharedConfig } from "../../config/files.js";
import { requireProfile, ssoLoginOf } from "../../config/profiles.js";
import { sourceIdentity } from "../../core/assume/plan.js";
import type { SsoLogin } from "../../shared/credentials.js";
import { secretDigest } from "../../shared/digest.js";
import { awsErrorName, configError, usageError } from "../../shared/errors.js";
import type { CommandRunner } from "../action.js";
import type { CliContext } from "../context.js";
import { withExamples } from "../help.js";

interface SsoOptions {
  ssoSession?: string;
  browser?: boolean;
}

/** The sign-in named by --sso-session, else --profile, else the config's only [sso-session]. */
export function loginFor(
  shared: SharedConfig,
  ssoSession: string | undefined,
  profile: string | undefined,
): SsoLogin {
  if (ssoSession !== undefined)
    return ssoLoginOf(shared, `--sso-session ${ssoSession}`, { sso_session: ssoSession });
  if (profile !== undefined) {
    const p = requireProfile(shared, profile);
    if (!p.sso_session && !p.sso_start_url)
      throw configError(
        "config_invalid",
        `Profile ${profile} does not use IAM Identity Center (no sso_session or sso_start_url).`,
      );
    return ssoLoginOf(shared, `Profile ${profile}`, p);
  }
  const sessions = [...shared.ssoSessions.keys()];
  if (sessions.length === 1)
    return ssoLoginOf(shared, `[sso-session ${sessions[0]}]`, { sso_session: sessions[0] as string });
  throw usageError(
    "missing_input",
    "Missing required value --sso-session: which IAM Identity Center sign-in.",
    {
      hint: sessions.length
        ? `Sessions in ${shared.paths.config}: ${sessions.join(", ")}. Or pass --profile P.`
        : `Add an [sso-session NAME] section to ${shared.paths.config} (sso_start_url, sso_region), or pass --profile P.`,
    },
  );
}

const describeLogin = (login: SsoLogin) =>
  login.session ? `sso-session ${login.session} (${login.startUrl})` : login.startUrl;

export function registerSso(program: Command, run: CommandRunner): void {
  const group = program
    .command("sso")
    .description("sign in to IAM Identity Center (the AWS CLI and SDKs share the token)");
  withExamples(group, ["rolectl sso login --sso-session work", "rolectl sso logout --sso-session work"]);

  withExamples(
    group
      .command("login")
      .description(
        "sign in with the device flow: open the verification page, approve the code, and cache the token where the AWS CLI looks for it",
      )
      .option(
        "--sso-session <name>",
        "the [sso-session NAME] to sign in to (else --profile's, or the only one)",
      )
      .option(
        "--no-browser",
        "print the URL and code instead of opening a browser (works without a terminal)",
      ),
    ["rolectl sso login --sso-session work", "rolectl sso login --profile dev-admin --no-browser"],
  ).action(
    run(async (ctx, opts: SsoOptions) => {
      const login = loginFor(await ctx.sharedConfig(), opts.ssoSession, ctx.opts.profile);
      const [{ ssoTokenDeps }, { deviceSignIn }] = await Promise.all([
        import("../sso-session.js"),
        import("../../core/sso/token.js"),
      ]);
      const deps = await ssoTokenDeps(ctx, login, await ctx.awsSettings(), {
        show: "stderr",
        ...(opts.browser === false ? { noBrowser: true } : {}),
      });
      let spinner: Awaited<ReturnType<CliContext["progress"]>> | undefined;
      const lock = await deps.lock();
      let expiresAt: string;
      try {
        const token = await deviceSignIn(login, deps.store.read(), {
          ...deps,
          waiting: (secondsLeft) => {
            if (spinner) return;
            void ctx
              .progress(`Waiting for the code to be approved (${Math.ceil(secondsLeft / 60)} min left)`)
              .then((s) => {
                spinner = s;
              });
          },
        });
        expiresAt = token.expiresAt;
      } catch (err) {
        spinner?.fail();
        throw err;
      } finally {
        spinner?.stop();
        await lock.release();
      }
      ctx.out.result(
        { session: login.session ?? null, startUrl: login.startUrl, region: login.region, expiresAt },
        () => `signed in to ${describeLogin(login)}; the token is good until ${expiresAt}`,
      );
    }),
  );

  withExamples(
    group
      .command("logout")
      .description("sign out: revoke the token, remove it, and remove the role credentials made with it")
      .option(
        "--sso-session <name>",
        "the [sso-session NAME] to sign out of (else --profile's, or the only one)",
      ),
    ["rolectl sso logout --sso-session work"],
  ).action(
    run(async (ctx, opts: SsoOptions) => {
      const login = loginFor(await ctx.sharedConfig(), opts.ssoSession, ctx.opts.profile);
      const { tokenPathFor } = await import("../sso-session.js");
      const path = tokenPathFor(ctx, login);
      const { readSsoToken } = await import("../../cache/sso-token-cache.js");
      const token = readSsoToken(path);
      ctx.out.addSecret(token?.accessToken);
      const derived = await derivedCacheEntries(ctx, login);
      if (ctx.opts.dryRun) {
        ctx.out.result(
          { revoked: false, tokenRemoved: false, credentialsRemoved: 0, dryRun: true },
          () =>
            `would sign out of ${describeLogin(login)}: ${token ? "revoke and remove the token" : "no token to remove"}, remove ${derived.length} cached credential(s)`,
        );
        return;
      }
      let revoked = false;
      if (token && Date.parse(token.expiresAt) > Date.now()) {
        const { createSsoPortalApi } = await import("../../aws/sso.js");
        try {
          await createSsoPortalApi(await ctx.awsSettings(), login.region).logout(token.accessToken);
          revoked = true;
        } catch (err) {
          // Already signed out elsewhere: nothing to revoke. Anything else still removes the files.
          if (awsErrorName(err) !== "Unauthorized")
            ctx.out.warn(`Could not revoke the token: ${(err as Error).message}`);
        }
      }
      const removed = await removeSsoToken(path);
      const dir = cacheDirFor(ctx.env, ctx.home);
      for (const key of derived) await deleteCacheEntry(dir, key);
      ctx.out.result(
        { revoked, tokenRemoved: removed, credentialsRemoved: derived.length },
        () =>
          `signed out of ${describeLogin(login)}${revoked ? " (token revoked)" : ""}; removed ${removed ? "the token and " : ""}${derived.length} cached credential${derived.length === 1 ? "" : "s"}`,
      );
    }),
  );
}

/**
 * Cache entries made from the sign-in: the portal's role credentials, and every role chained
 * from them (a child's key holds a digest of its parent's).
 */
async function derivedCacheEntries(ctx: CliContext, login: SsoLogin): Promise<string[]> {
  const entries = await listCacheEntries(cacheDirFor(ctx.env, ctx.home));
  const origin = sourceIdentity({ kind: "sso", profile: "", login, accountId: "", roleName: "" }, {});
  const derived = new Set<string>();
  const parents = new Set<string>();
  for (let grew = true; grew; ) {
    grew = false;
    for (const { key, entry } of entries) {
      const material = entry.key ?? "";
      if (derived.has(key)) continue;
      const fromSso = material.includes(JSON.stringify(origin).slice(1, -1));
      const fromParent = [...parents].some((p) => material.includes(`role:${p}`));
      if (!fromSso && !fromParent) continue;
      derived.add(key);
      parents.add(secretDigest(material));
      grew = true;
    }
  }
  return [...derived];
}
