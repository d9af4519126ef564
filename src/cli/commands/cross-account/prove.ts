import type { Verdict } from "../../../core/verdict.js";
import type { CliContext } from "../../context.js";

/** Proves the profile just written with a real AssumeRole (chain wired to this process). */
export async function proveNewProfile(
  ctx: CliContext,
  o: { profile: string; roleArn: string; requireMfa: boolean; code?: string; seed?: string },
): Promise<Verdict> {
  const [{ loadSharedConfig, awsFilePaths }, { proveProfile }, { buildChainDeps }] = await Promise.all([
    import("../../../config/files.js"),
    import("../../../core/cross-account/prove.js"),
    import("../../credentials.js"),
  ]);
  const deps = await buildChainDeps(
    ctx,
    { refresh: true, ...(o.code ? { mfaCode: o.code } : {}) },
    o.seed ? { totpSeed: o.seed } : {},
  );
  const label = `Assuming ${o.roleArn} through profile ${o.profile}`;
  const spinner = await ctx.progress(`${label}…`);
  try {
    const proved = await proveProfile({
      shared: loadSharedConfig(awsFilePaths(ctx.env, ctx.home)),
      env: ctx.env,
      profile: o.profile,
      roleArn: o.roleArn,
      deps,
      requireMfa: o.requireMfa,
      mfaAvailable: Boolean(o.code || o.seed || !ctx.nonInteractive || ctx.env.ROLECTL_MFA_CODE),
      onAttempt: (n, ms) => spinner.update(`${label} (attempt ${n}, ${Math.round(ms / 1000)} s)…`),
    });
    spinner.stop();
    return proved;
  } catch (err) {
    spinner.fail("Could not prove the new profile");
    throw err;
  }
}
