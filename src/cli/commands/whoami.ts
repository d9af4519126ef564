import type { Command } from "commander";
import type { CommandRunner } from "../action.js";
import { withExamples } from "../help.js";

export function registerWhoami(program: Command, run: CommandRunner): void {
  const cmd = program
    .command("whoami")
    .description(
      "show the AWS account and identity the current credentials belong to (STS GetCallerIdentity)",
    )
    .action(
      run(async (ctx) => {
        const { getCallerIdentity } = await import("../../core/whoami.js");
        const id = await getCallerIdentity(await ctx.sts());
        ctx.out.result(id, () => `account  ${id.account}\narn      ${id.arn}\nuser id  ${id.userId}`);
      }),
    );
  withExamples(cmd, [
    "rolectl whoami",
    "rolectl whoami --profile devadmin --json",
    "AWS_PROFILE=bizadmin rolectl whoami",
  ]);
}
