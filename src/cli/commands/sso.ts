import type { Command } from "commander";
import { cacheDirFor } from "../../cache/location.js";
import { removeSsoToken } from "../../cache/sso-token-cache.js";
import { deleteCacheEntry, listCacheEntries } from "../../cache/store.js";
import type { SharedConfig } from "../../config/files.js";
import { requireProfile, ssoLoginOf } from "../../config/profiles.js";
import { derivedCacheEntries } from "../../core/sso/derived-entries.js";
import {
  type AccountRoles,
  checkNameTemplate,
  DEFAULT_NAME_TEMPLATE,
  listReachable,
  type PopulatePlan,
  planPopulate,
} from "../../core/sso/populate.js";
import { loginName } from "../../core/sso/token.js";
import type { SsoLogin } from "../../shared/credentials.js";
import { awsErrorName, configError, usageError } from "../../shared/errors.js";
import { validateRegion } from "../../shared/validate.js";
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
    return ssoLoginOf(shared, `Profile ${profile}`, p, profile);
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
        () => `signed in to ${loginName(login)}; the token is good until ${expiresAt}`,
      );
    }),
  );

  withExamples(
    group
      .command("populate")
      .description(
        "write a profile for every account and role the sign-in reaches (one edit; your own profiles are never touched)",
      )
      .option("--sso-session <name>", "the [sso-session NAME] to list (else --profile's, or the only one)")
      .option(
        "--name <template>",
        "profile names: {account_name}, {account_id}, {role_name}, {session} (others become -)",
        DEFAULT_NAME_TEMPLATE,
      )
      .option("--prune", "also remove profiles populated earlier whose account or role is gone"),
    [
      "rolectl sso populate --sso-session work",
      "rolectl sso populate --sso-session work --name '{account_id}-{role_name}' --region eu-west-1",
      "rolectl sso populate --sso-session work --prune --dry-run",
    ],
  ).action(
    run(async (ctx, opts: SsoOptions & { name: string; prune?: boolean }) => {
      const template = checkNameTemplate(opts.name);
      const shared = await ctx.sharedConfig();
      const login = loginFor(shared, opts.ssoSession, ctx.opts.profile);
      if (!login.session)
        throw usageError(
          "usage",
          "sso populate needs an [sso-session]: profiles it writes name the session.",
          {
            hint: "Add an [sso-session NAME] section with sso_start_url and sso_region, and pass --sso-session NAME.",
          },
        );
      const region = ctx.opts.region ?? login.region;
      validateRegion(region, "--region");
      const settings = await ctx.awsSettings();
      const [{ ssoTokenDeps }, { ssoAccessToken }, { createSsoPortalApi }] = await Promise.all([
        import("../sso-session.js"),
        import("../../core/sso/token.js"),
        import("../../aws/sso.js"),
      ]);
      // No token yet: sign in here if a person is at the terminal, else say how.
      const token = await ssoAccessToken(
        login,
        await ssoTokenDeps(ctx, login, settings, {
          show: ctx.nonInteractive === undefined ? "stderr" : { refused: ctx.nonInteractive },
        }),
      );
      const spinner = await ctx.progress("Listing accounts");
      let reachable: AccountRoles[];
      try {
        reachable = await listReachable(createSsoPortalApi(settings, login.region), token, {
          concurrency: 8,
          progress: (done, total) => spinner.update(`Listing roles: ${done}/${total} accounts`),
        });
        spinner.stop();
      } catch (err) {
        spinner.fail();
        throw err;
      }
      const planFor = (existing: SharedConfig["config"]) =>
        planPopulate({ session: login.session as string, region, template, reachable, existing });
      let plan = planFor(shared.config);
      const pending = (p: PopulatePlan) => p.add.length + p.update.length + (opts.prune ? p.stale.length : 0);
      if (pending(plan) && !ctx.opts.dryRun) {
        const [{ editConfigFile, editProfiles }, { parseIni }, { sharedConfigFrom }] = await Promise.all([
          import("../../config/edit.js"),
          import("../../config/ini.js"),
          import("../../config/files.js"),
        ]);
        const path = shared.paths.config;
        await editConfigFile(
          path,
          (text) => {
            // Planned again on the file as it is now, under its lock: the listing may have taken
            // minutes, and a profile written meanwhile by hand must stay the user's.
            plan = planFor(sharedConfigFrom(shared.paths, parseIni(text, path)).config);
            return editProfiles(text, path, {
              upsert: [...plan.add, ...plan.update].map((p) => ({
                section: `profile ${p.profile}`,
                profile: p.profile,
                values: p.values,
              })),
              removeProfiles: opts.prune ? plan.stale : [],
            }).text;
          },
          { mode: 0o600 },
        );
      }
      const removing = opts.prune ? plan.stale : [];
      const changes = pending(plan);
      for (const s of plan.skipped) ctx.out.warn(`Left profile ${s.profile} alone (${s.reason}).`);
      if (!opts.prune && plan.stale.length)
        ctx.out.warn(
          `${plan.stale.length} populated profile(s) no longer reachable: ${plan.stale.slice(0, 5).join(", ")}${plan.stale.length > 5 ? ", …" : ""}; --prune removes them.`,
        );
      const summary = {
        session: login.session,
        accounts: reachable.length,
        added: plan.add.map((p) => p.profile),
        updated: plan.update.map((p) => p.profile),
        removed: removing,
        stale: opts.prune ? [] : plan.stale,
        unchanged: plan.unchanged.length,
        skipped: plan.skipped,
        dryRun: ctx.opts.dryRun === true,
      };
      const verb = ctx.opts.dryRun ? "would " : "";
      ctx.out.result(summary, () =>
        changes
          ? `${reachable.length} accounts: ${verb}add ${plan.add.length}, ${verb}update ${plan.update.length}, ${verb}remove ${removing.length} profile(s) in ${shared.paths.config}; ${plan.unchanged.length} unchanged`
          : `${reachable.length} accounts: all ${plan.unchanged.length} profile(s) are up to date; nothing changed`,
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
      const derived = derivedCacheEntries(await listCacheEntries(cacheDirFor(ctx.env, ctx.home)), login);
      if (ctx.opts.dryRun) {
        ctx.out.result(
          { revoked: false, tokenRemoved: false, credentialsRemoved: 0, dryRun: true },
          () =>
            `would sign out of ${loginName(login)}: ${token ? "revoke and remove the token" : "no token to remove"}, remove ${derived.length} cached credential(s)`,
        );
        return;
      }
      // Under the session's lock: a refresh in another rolectl must not write the token back.
      const { ssoTokenDeps } = await import("../sso-session.js");
      const settings = await ctx.awsSettings();
      const lock = await (await ssoTokenDeps(ctx, login, settings, { show: "stderr" })).lock();
      let revoked = false;
      let removed: boolean;
      try {
        if (token && Date.parse(token.expiresAt) > Date.now()) {
          const { createSsoPortalApi } = await import("../../aws/sso.js");
          try {
            await createSsoPortalApi(settings, login.region).logout(token.accessToken);
            revoked = true;
          } catch (err) {
            // Already signed out elsewhere: nothing to revoke. Anything else still removes the files.
            if (awsErrorName(err) !== "Unauthorized")
              ctx.out.warn(`Could not revoke the token: ${(err as Error).message}`);
          }
        }
        removed = await removeSsoToken(path);
        const dir = cacheDirFor(ctx.env, ctx.home);
        for (const key of derived) await deleteCacheEntry(dir, key);
      } finally {
        await lock.release();
      }
      ctx.out.result(
        { revoked, tokenRemoved: removed, credentialsRemoved: derived.length },
        () =>
          `signed out of ${loginName(login)}${revoked ? " (token revoked)" : ""}; removed ${removed ? "the token and " : ""}${derived.length} cached credential${derived.length === 1 ? "" : "s"}`,
      );
    }),
  );
}
