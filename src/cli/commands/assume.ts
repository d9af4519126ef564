import { realpathSync } from "node:fs";
import { delimiter, join } from "node:path";
import { type Command, Option } from "commander";
import {
  credentialEnvironment,
  formatCredentials,
  OUTPUT_FORMATS,
  type OutputFormat,
} from "../../core/assume/format.js";
import { DEFAULT_REFRESH_WINDOW } from "../../core/assume/plan.js";
import { withoutRolectlSecrets } from "../../shared/env.js";
import { usageError } from "../../shared/errors.js";
import type { CommandRunner } from "../action.js";
import { type AssumeOptions, obtainCredentials, planFromOptions } from "../credentials.js";
import { withExamples } from "../help.js";
import { shellWord } from "../render.js";

function addAssumeOptions(cmd: Command, adHoc = true): Command {
  cmd
    .option(
      "--duration <seconds>",
      "session length: seconds or 15m/1h, 900-43200 (the role's max applies; 3600 when chaining)",
    )
    .option(
      "--mfa-code <code>",
      "the 6-digit MFA code, or - to read it from standard input (env ROLECTL_MFA_CODE; a code on the command line shows in ps)",
    )
    .option(
      "--mfa-totp-secret-env <NAME>",
      "compute MFA codes from the base32 seed in env var NAME (CI machines)",
    )
    .option("--no-cache", "neither read nor write the credential cache")
    .option("--refresh", "ignore cached credentials and assume the role again")
    .option(
      "--refresh-window <duration>",
      "renew cached credentials with less than this left",
      DEFAULT_REFRESH_WINDOW,
    );
  if (adHoc) {
    cmd
      .option("--role-arn <arn>", "assume this role (source: --profile, env keys, or [default])")
      .option("--external-id <id>", "with --role-arn: the external id")
      .option("--mfa-serial <serial>", "with --role-arn: the MFA device")
      .option("--session-name <name>", "with --role-arn: the role session name")
      .option(
        "--web-identity-token-file <file>",
        "with --role-arn: assume it with the OIDC token in this file (AssumeRoleWithWebIdentity; no keys needed)",
      )
      .option(
        "--github-actions",
        "with --role-arn: assume it with this GitHub Actions job's OIDC token (needs permissions: id-token: write)",
      )
      .option("--audience <aud>", "with --github-actions: the token's audience (default sts.amazonaws.com)");
  }
  return cmd;
}

/** The command a profile should run to get credentials from this rolectl. */
function credentialProcessCommand(profile: string, env: Record<string, string | undefined>): string {
  const self = process.argv[1] ? realpathSync(process.argv[1]) : "";
  for (const dir of (env.PATH ?? "").split(delimiter)) {
    try {
      if (dir && realpathSync(join(dir, "rolectl")) === self)
        return `rolectl credential-process --profile ${shellWord(profile)}`;
    } catch {
      // not there
    }
  }
  return `${shellWord(process.execPath)} ${shellWord(self)} credential-process --profile ${shellWord(profile)}`;
}

export function registerAssume(program: Command, run: CommandRunner): void {
  withExamples(
    addAssumeOptions(
      program
        .command("assume")
        .description(
          "assume a profile's role (MFA-aware, cached) and print its credentials for your shell or tools",
        )
        .addOption(
          // No commander default: an explicit --format must be told apart from none (--json conflicts).
          new Option("--format <format>", 'output format (default: "export")').choices([...OUTPUT_FORMATS]),
        )
        .option(
          "--install-credential-process <name>",
          "also write [profile NAME] credential_process = rolectl credential-process --profile P",
        )
        .option("--force", "with --install-credential-process: replace a profile of that name"),
    ),
    [
      'eval "$(rolectl assume --profile bizcorprole)"',
      "rolectl assume --profile bizcorprole --mfa-code 123456 --json",
      "rolectl assume --role-arn arn:aws:iam::111122223333:role/Deploy --external-id Ext-1 --format env",
      "rolectl assume --profile bizcorprole --install-credential-process bizcorp",
      "rolectl assume --role-arn arn:aws:iam::123456789012:role/Deploy --web-identity-token-file /var/run/secrets/token",
    ],
  ).action(
    run<AssumeOptions & { format?: OutputFormat; installCredentialProcess?: string; force?: boolean }>(
      async (ctx, opts) => {
        if (ctx.opts.json && opts.format !== undefined && opts.format !== "json")
          throw usageError("usage", `--json and --format ${opts.format} ask for two different outputs.`, {
            hint: "Pass one of them: --json is --format json.",
          });
        if (opts.force && opts.installCredentialProcess === undefined)
          throw usageError("usage", "--force goes with --install-credential-process.");
        if (ctx.opts.dryRun && opts.installCredentialProcess === undefined)
          throw usageError(
            "usage",
            "--dry-run does nothing for `rolectl assume` without --install-credential-process.",
            {
              hint: "Leave out --dry-run: assume only reads (and caches) credentials.",
            },
          );
        const plan = await planFromOptions(ctx, opts);
        if (opts.installCredentialProcess !== undefined) {
          if (!plan.profile)
            throw usageError(
              "usage",
              "--install-credential-process needs --profile (the profile to assume).",
            );
          const [{ credentialProcessProfileStep }, { awsFilePaths }, { applySteps }] = await Promise.all([
            import("../../core/assume/install.js"),
            import("../../config/files.js"),
            import("../../core/steps.js"),
          ]);
          const step = credentialProcessProfileStep({
            configPath: awsFilePaths(ctx.env, ctx.home).config,
            credentialsPath: awsFilePaths(ctx.env, ctx.home).credentials,
            name: opts.installCredentialProcess,
            sourceProfile: plan.profile,
            command: credentialProcessCommand(plan.profile, ctx.env),
            region: (await ctx.awsSettings()).region,
            force: opts.force === true,
          });
          if (ctx.opts.dryRun) {
            ctx.out.info(`would ${step.description}`);
            return;
          }
          await applySteps([step]);
          ctx.out.info(step.description.replace(/^write/, "wrote"));
        }
        const { result, region } = await obtainCredentials(ctx, opts, plan);
        const format: OutputFormat = ctx.opts.json ? "json" : (opts.format ?? "export");
        ctx.out.raw(
          formatCredentials(
            {
              credentials: result.credentials,
              ...(region ? { region } : {}),
              ...(result.assumedRoleArn ? { assumedRoleArn: result.assumedRoleArn } : {}),
            },
            format,
          ),
        );
        if (ctx.out.stderr.isTTY) {
          const mins = Math.round((Date.parse(result.credentials.Expiration) - Date.now()) / 60_000);
          ctx.out.info(
            ctx.out.color.dim(
              `${result.assumedRoleArn ?? plan.steps.at(-1)?.roleArn}: valid for ${mins} min${result.fromCache ? " (cached)" : ""}`,
            ),
          );
        }
      },
    ),
  );

  withExamples(
    addAssumeOptions(
      program
        .command("credential-process")
        .description(
          "print a profile's role credentials as credential_process JSON (Version 1) for the AWS CLI and SDKs",
        ),
      false,
    ),
    [
      "rolectl credential-process --profile bizcorprole",
      "# in ~/.aws/config:  [profile bizcorp]  credential_process = rolectl credential-process --profile bizcorprole",
    ],
  ).action(
    run<AssumeOptions>(async (ctx, opts) => {
      const plan = await planFromOptions(ctx, opts);
      const { result } = await obtainCredentials(ctx, opts, plan);
      ctx.out.raw(formatCredentials({ credentials: result.credentials }, "credential-process"));
    }),
  );

  withExamples(
    addAssumeOptions(
      program
        .command("exec")
        .description(
          "run a command with a role's credentials in its environment; exits with the command's status",
        )
        .argument("<command...>", "the command and its arguments (after --)"),
    ),
    [
      "rolectl exec --profile bizcorprole -- aws s3 ls",
      "rolectl exec --profile bizcorprole --mfa-code 123456 -- terraform plan",
      "rolectl exec --github-actions --role-arn arn:aws:iam::123456789012:role/Deploy -- terraform apply",
    ],
  ).action(
    run<AssumeOptions>(async (ctx, opts, args) => {
      const [command, ...rest] = (args[0] as string[] | undefined) ?? [];
      if (!command)
        throw usageError("missing_input", "Missing the command to run after --.", {
          hint: "rolectl exec --profile P -- aws sts get-caller-identity",
        });
      const plan = await planFromOptions(ctx, opts);
      const { result, region } = await obtainCredentials(ctx, opts, plan);
      const env = credentialEnvironment(withoutRolectlSecrets(ctx.env, [opts.mfaTotpSecretEnv]), {
        credentials: result.credentials,
        ...(region ? { region } : {}),
      });
      const { runChild } = await import("../run-child.js");
      ctx.setExitCode(await runChild(command, rest, env, ctx.stdinIsTTY));
    }),
  );
}
