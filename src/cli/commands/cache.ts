import { join } from "node:path";
import type { Command } from "commander";
import { cacheDirFor } from "../../cache/location.js";
import { deleteCacheEntry, listCacheEntries } from "../../cache/store.js";
import { cacheRows, cacheTable } from "../../core/cache-view.js";
import type { CommandRunner } from "../action.js";
import { withExamples } from "../help.js";

export function registerCache(program: Command, run: CommandRunner): void {
  const group = program
    .command("cache")
    .description("look at or empty rolectl's credential cache (never shows secrets)");
  withExamples(group, ["rolectl cache list", "rolectl cache clear --profile bizcorprole"]);

  withExamples(
    group.command("list").description("cached role credentials: profile, role, expiry, time left"),
    ["rolectl cache list", "rolectl cache list --json"],
  ).action(
    run(async (ctx) => {
      const dir = cacheDirFor(ctx.env, ctx.home);
      const rows = cacheRows(await listCacheEntries(dir), Date.now());
      ctx.out.result(rows, () => cacheTable(rows, dir));
    }),
  );

  withExamples(
    group
      .command("clear")
      .description(
        "remove cached credentials: all of them, or those of --profile P (like `amplify aws reset-cache`)",
      ),
    ["rolectl cache clear", "rolectl cache clear --profile bizcorprole --json"],
  ).action(
    run(async (ctx) => {
      const dir = cacheDirFor(ctx.env, ctx.home);
      const profile = ctx.opts.profile;
      const doomed = (await listCacheEntries(dir)).filter(
        ({ entry }) => profile === undefined || entry.profile === profile,
      );
      if (!ctx.opts.dryRun) {
        for (const { key } of doomed) await deleteCacheEntry(dir, key);
        // The warm path's index of plans goes too (it only saves a parse, and is rebuilt).
        const { rm } = await import("node:fs/promises");
        await rm(join(dir, "profiles"), { recursive: true, force: true });
      }
      // Locks whose holders died (a killed run) go too; a live one is left to its holder.
      const { sweepStaleLocks } = await import("../../fs/lock.js");
      const locks = ctx.opts.dryRun ? 0 : await sweepStaleLocks(dir);
      const what = profile ? `of profile ${profile}` : "";
      ctx.out.result(
        {
          removed: doomed.length,
          staleLocks: locks,
          dryRun: ctx.opts.dryRun === true,
          ...(profile ? { profile } : {}),
        },
        () =>
          `${ctx.opts.dryRun ? "would remove" : "removed"} ${doomed.length} cached credential${doomed.length === 1 ? "" : "s"}${what ? ` ${what}` : ""}${locks ? ` and ${locks} stale lock${locks === 1 ? "" : "s"}` : ""}`,
      );
    }),
  );
}
