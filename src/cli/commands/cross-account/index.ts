import type { Command } from "commander";
import type {
  SetupOptions,
  TrustedOptions,
  TrustingOptions,
  WriteProfileOptions,
} from "../../../core/cross-account/inputs.js";
import type { CommandRunner } from "../../action.js";
import { withExamples } from "../../help.js";
import { addAliasedOption, collect } from "../../options.js";

// Seed 001's Biz Corp / Dev Corp walk-through: the role in the trusting account (part 1), the
// policy, user, access key and MFA device in the trusted account (part 2), and the local
// profiles (part 3). `setup` does all three; the sub-steps serve two people doing one side each.
// The options are declared here; each command's work is one lazily loaded module.

function addTrustingOptions(cmd: Command, withAccount: boolean): Command {
  cmd.option("--role-name <name>", "the role to create in the trusting account (e.g. BizCorpRole)");
  if (withAccount)
    addAliasedOption(cmd, {
      flags: "--trust-account <id>",
      alias: "--trusted-account",
      description: "the account whose users may assume the role",
      attribute: "trustedAccount",
    });
  addAliasedOption(cmd, {
    flags: "--managed-policy <arn>",
    alias: "--policy-arn",
    description: "permissions for the role: a managed policy (repeatable)",
    attribute: "policyArn",
    parse: collect,
  });
  return cmd
    .option("--external-id <id>", "require this external id (2-1224 of letters, digits and +=,.@:/-)")
    .option("--generate-external-id", "make a random 32-character external id (printed once)")
    .option("--require-mfa", "require MFA (aws:MultiFactorAuthPresent)")
    .option(
      "--amplify-cli-policy",
      "permissions for the role: the Amplify CLI policy (rolectl policy amplify-cli)",
    )
    .option("--admin", "permissions for the role: AdministratorAccess")
    .option("--max-session-duration <seconds>", "3600-43200 (or 1h-12h)");
}

function addTrustedOptions(cmd: Command, withRoleArn: boolean): Command {
  if (withRoleArn) cmd.option("--role-arn <arn>", "the role in the trusting account");
  return cmd
    .option("--user <name>", "the IAM user in the trusted account (created if missing), e.g. devcorpuser")
    .option("--assume-policy-name <name>", "name of the policy allowing sts:AssumeRole on the role")
    .option("--create-access-key", "create an access key for the user (IAM allows 2 per user)")
    .option(
      "--rotate-access-key",
      "replace the key rolectl wrote before: a new one, proved to work, then the old one deleted",
    )
    .option("--mfa", "give the user a virtual MFA device (shown as a QR code on a terminal)")
    .option("--mfa-codes <c1,c2>", "two consecutive codes from the device, to enable it without prompting")
    .option(
      "--mfa-seed-out <file>",
      "write the device's secret seed to FILE (0600) so automation can make codes",
    )
    .option(
      "--access-key-out <file>",
      "write the new access key to FILE (credentials format, 0600) the moment it exists",
    )
    .option("--show-secrets", "include the secret key and MFA seed in --json output");
}

function addLocalOptions(cmd: Command): Command {
  addAliasedOption(cmd, {
    flags: "--duration <seconds>",
    alias: "--duration-seconds",
    description: "duration_seconds for the profile (900-43200)",
    attribute: "durationSeconds",
  });
  return cmd
    .option(
      "--local-profile <name>",
      "the profile to write (default: the role name in lower case, e.g. bizcorprole)",
    )
    .option("--source-profile <name>", "the profile with the user's keys (default: the user name)")
    .option("--role-session-name <name>", "role_session_name for the profile");
}

export function registerCrossAccount(program: Command, run: CommandRunner): void {
  const group = program
    .command("cross-account")
    .description(
      "let a user of one account (Dev Corp, trusted) work in a role of another (Biz Corp, trusting), as in the Amplify docs",
    );
  withExamples(group, [
    "rolectl cross-account setup   # the wizard, on a terminal",
    "rolectl cross-account trust-role --profile bizadmin --role-name BizCorpRole --trust-account 222222222222 --generate-external-id --require-mfa --amplify-cli-policy",
  ]);

  withExamples(
    addLocalOptions(
      addTrustedOptions(
        addTrustingOptions(
          group
            .command("setup")
            .description(
              "all three parts in one run, with admin credentials for both accounts; proves the result with a real assume",
            )
            .option(
              "--trusting-profile <name>",
              "profile with admin credentials in the trusting account (Biz Corp)",
            )
            .option(
              "--trusted-profile <name>",
              "profile with admin credentials in the trusted account (Dev Corp)",
            ),
          false,
        ),
        false,
      ),
    )
      .option("--no-verify", "do not prove the new profile with an AssumeRole")
      .option(
        "--verify-mfa-code <code>",
        "MFA code for the proving AssumeRole (otherwise computed from a new device's seed, or asked)",
      )
      .option(
        "--force",
        "overwrite a local profile with different values; take over a role that trusts something else",
      ),
    [
      "rolectl cross-account setup --no-input --trusting-profile bizadmin --trusted-profile devadmin \\\n      --role-name BizCorpRole --external-id Ext-1234567890 --require-mfa \\\n      --managed-policy arn:aws:iam::aws:policy/AdministratorAccess-Amplify \\\n      --user devcorpuser --create-access-key --mfa --mfa-codes 123456,654321 \\\n      --local-profile bizcorprole --region us-east-1",
      "rolectl cross-account setup --trusting-profile bizadmin --trusted-profile devadmin --dry-run",
    ],
  ).action(run<SetupOptions>(async (ctx, o) => (await import("./setup.js")).setupCommand(ctx, o)));

  withExamples(
    addTrustingOptions(
      group.command("trust-role").description("part 1, in the trusting account (uses --profile): the role"),
      true,
    ).option("--force", "take over a role of that name even if it trusts something else"),
    [
      "rolectl cross-account trust-role --profile bizadmin --role-name BizCorpRole --trust-account 222222222222 --external-id Ext-1234567890 --require-mfa --amplify-cli-policy",
    ],
  ).action(
    run<TrustingOptions>(async (ctx, o) => (await import("./trust-role.js")).trustRoleCommand(ctx, o)),
  );

  withExamples(
    addTrustedOptions(
      group
        .command("grant-user")
        .description("part 2, in the trusted account (uses --profile): policy, user, access key, MFA device"),
      true,
    ),
    [
      "rolectl cross-account grant-user --profile devadmin --role-arn arn:aws:iam::111111111111:role/BizCorpRole --user devcorpuser --create-access-key --mfa",
    ],
  ).action(
    run<TrustedOptions & { roleArn?: string }>(async (ctx, o) =>
      (await import("./grant-user.js")).grantUserCommand(ctx, o),
    ),
  );

  withExamples(
    addLocalOptions(
      group
        .command("write-profile")
        .description(
          "part 3, on the developer's machine: [profile NAME] in the config file and the user's keys in the credentials file",
        )
        .option("--role-arn <arn>", "the role to assume")
        .option("--external-id <id>", "the external id the role requires")
        .option("--mfa-serial <serial>", "the MFA device's ARN")
        .option(
          "--access-key-id <id>",
          "also write the source profile's keys (secret from ROLECTL_SECRET_ACCESS_KEY or a prompt)",
        )
        .option("--force", "overwrite a profile with different values"),
    ),
    [
      "rolectl cross-account write-profile --local-profile bizcorprole --role-arn arn:aws:iam::111111111111:role/BizCorpRole --source-profile devcorpuser --mfa-serial arn:aws:iam::222222222222:mfa/devcorpuser --external-id Ext-1234567890 --region us-east-1",
    ],
  ).action(
    run<WriteProfileOptions>(async (ctx, o) =>
      (await import("./write-profile.js")).writeProfileCommand(ctx, o),
    ),
  );
}
