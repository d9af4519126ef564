import type { Command } from "commander";
import type { CommandRunner } from "../../action.js";
import { withExamples } from "../../help.js";
import { addAliasedOption, collect } from "../../options.js";
import type { CreateOptions } from "./create.js";

// The role group: options are declared here; each command's work is one lazily loaded module.

export function registerRole(program: Command, run: CommandRunner): void {
  const group = program
    .command("role")
    .description("create, show and delete IAM roles for AWS services, other accounts and federation");
  withExamples(group, [
    "rolectl role create deploy-lambda --service lambda.amazonaws.com --managed-policy arn:aws:iam::aws:policy/AWSLambdaExecute",
    "rolectl role show deploy-lambda",
    "rolectl role delete deploy-lambda --yes",
  ]);

  const create = group
    .command("create")
    .argument("[name]", "role name")
    .description("create (or converge) a role; exactly one trust source")
    .option("--service <principal>", "trust an AWS service, e.g. lambda.amazonaws.com (repeatable)", collect);
  addAliasedOption(create, {
    flags: "--trust-account <id>",
    alias: "--trusted-account",
    description: "trust another AWS account, its root principal (repeatable)",
    attribute: "trustAccount",
    parse: collect,
  })
    .option("--external-id <id>", "with --trust-account: require this sts:ExternalId")
    .option("--require-mfa", "with --trust-account: require aws:MultiFactorAuthPresent")
    .option("--web-identity <provider-arn>", "trust an OIDC provider (AssumeRoleWithWebIdentity)")
    .option("--audience <aud>", "with --web-identity: the token audience")
    .option(
      "--subject <sub>",
      "with --web-identity: a token subject allowed, e.g. 'repo:org/app:*' (repeatable; wildcards use StringLike; one matching any owner, such as '*' or 'repo:*', needs --allow-any-subject)",
      collect,
    )
    .option(
      "--allow-any-subject",
      "with --web-identity: allow no subject condition, or a subject matching any owner (WARNING: then any user of the provider, e.g. any GitHub repository, may assume the role)",
    )
    .option("--saml <provider-arn>", "trust a SAML provider (AssumeRoleWithSAML)")
    .option(
      "--trust-policy <file>",
      "trust policy JSON from a file, checked as a trust policy (Principal required, sts actions only, no Resource)",
    )
    .option(
      "--allow-any-principal",
      'with --trust-policy: accept "*" as the principal of an Allow statement that has a Condition (e.g. aws:PrincipalOrgID); never without one. WARNING: the Condition is then all that keeps every AWS account out',
    );
  addAliasedOption(create, {
    flags: "--managed-policy <arn>",
    alias: "--policy-arn",
    description: "attach a managed policy (repeatable, up to 10)",
    attribute: "managedPolicy",
    parse: collect,
  })
    .option("--inline-policy <name=file>", "put an inline policy from a file (repeatable)", collect)
    .option("--description <text>", "role description")
    .option("--path <path>", "role path", "/")
    .option("--max-session-duration <seconds>", "3600-43200 (or 1h-12h)")
    .option("--permissions-boundary <arn>", "permissions boundary policy ARN")
    .option("--tag <key=value>", "tag the role (repeatable)", collect)
    .option(
      "--verify",
      "with --trust-account: prove the role can be assumed (retries IAM's propagation delay)",
    )
    .option("--verify-timeout <seconds>", "how long --verify keeps trying", "30")
    .option("--force", "take over a role of that name even if it trusts something else")
    .option(
      "--allow-risk <rule>",
      "accept a critical finding of `rolectl audit` in the trust policy (e.g. RC-TRUST-006; repeatable)",
      collect,
    );
  withExamples(create, [
    "rolectl role create ci-deployer --trust-account 111122223333 --external-id Ext-1 --require-mfa",
    "rolectl role create gha --web-identity arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com --audience sts.amazonaws.com --subject 'repo:org/app:*'",
    "rolectl role create sso-admins --saml arn:aws:iam::123456789012:saml-provider/Okta --managed-policy arn:aws:iam::aws:policy/ReadOnlyAccess",
    "rolectl role create custom --trust-policy trust.json --inline-policy s3read=s3read.json --dry-run",
  ]).action(
    run<CreateOptions>(async (ctx, o, args) =>
      (await import("./create.js")).createCommand(ctx, o, args[0] as string | undefined),
    ),
  );

  withExamples(
    group
      .command("show")
      .argument("<name>", "role name")
      .description("a role's trust policy (decoded), policies, tags and last use"),
    ["rolectl role show AmplifyConsoleServiceRole-AmplifyRole", "rolectl role show deploy --json"],
  ).action(run(async (ctx, _o, args) => (await import("./show.js")).showCommand(ctx, args[0] as string)));

  withExamples(
    group
      .command("delete")
      .argument("<name>", "role name")
      .description(
        "detach managed policies, delete inline policies and instance-profile links, then delete the role",
      ),
    ["rolectl role delete old-deployer --yes", "rolectl role delete old-deployer --dry-run"],
  ).action(run(async (ctx, _o, args) => (await import("./delete.js")).deleteCommand(ctx, args[0] as string)));
}
