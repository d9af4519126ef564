import { randomBytes } from "node:crypto";
import type { Command } from "commander";
import type { DesiredRole } from "../../core/roles/role-state.js";
import { customerPolicyArn, partitionOf } from "../../shared/arn.js";
import { conflictError, usageError } from "../../shared/errors.js";
import {
  parseDuration,
  parseMaxSessionDuration,
  parseRoleArn,
  validateAccountId,
  validateExternalId,
  validateMfaCode,
  validateMfaSerial,
  validatePolicyArn,
  validatePolicyName,
  validateProfileName,
  validateRoleName,
  validateSessionName,
  validateUserName,
} from "../../shared/validate.js";
import type { CommandRunner } from "../action.js";
import { flagOrAsk } from "../ask.js";
import type { CliContext } from "../context.js";
import { withExamples } from "../help.js";
import { provisionRole } from "../provision.js";

// Seed 001's Biz Corp / Dev Corp walk-through: the role in the trusting account (part 1), the
// policy, user, access key and MFA device in the trusted account (part 2), and the local
// profiles (part 3). `setup` does all three; the sub-steps serve two people doing one side each.

const collect = (value: string, previous: string[] = []) => [...previous, value];
const ADMIN_POLICY = "arn:aws:iam::aws:policy/AdministratorAccess";

interface TrustingOptions {
  roleName?: string;
  trustedAccount?: string;
  externalId?: string;
  generateExternalId?: boolean;
  requireMfa?: boolean;
  policyArn?: string[];
  amplifyCliPolicy?: boolean;
  admin?: boolean;
  maxSessionDuration?: string;
  force?: boolean;
}

interface TrustedOptions {
  roleArn?: string;
  user?: string;
  assumePolicyName?: string;
  createAccessKey?: boolean;
  mfa?: boolean;
  mfaCodes?: string;
  mfaSeedOut?: string;
}

interface LocalOptions {
  localProfile?: string;
  sourceProfile?: string;
  mfaSerial?: string;
  roleSessionName?: string;
  durationSeconds?: string;
  accessKeyId?: string;
  force?: boolean;
}

interface SetupOptions extends TrustingOptions, TrustedOptions, LocalOptions {
  trustingProfile?: string;
  trustedProfile?: string;
  verify: boolean;
  verifyMfaCode?: string;
}

function addTrustingOptions(cmd: Command, withAccount: boolean): Command {
  cmd.option("--role-name <name>", "the role to create in the trusting account (e.g. BizCorpRole)");
  if (withAccount) cmd.option("--trusted-account <id>", "the account whose users may assume the role");
  return cmd
    .option("--external-id <id>", "require this external id (2-1224 of letters, digits and +=,.@:/-)")
    .option("--generate-external-id", "make a random 32-character external id (printed once)")
    .option("--require-mfa", "require MFA (aws:MultiFactorAuthPresent)")
    .option("--policy-arn <arn>", "permissions for the role: a managed policy (repeatable)", collect)
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
    .option("--mfa", "give the user a virtual MFA device (shown as a QR code on a terminal)")
    .option("--mfa-codes <c1,c2>", "two consecutive codes from the device, to enable it without prompting")
    .option(
      "--mfa-seed-out <file>",
      "write the device's secret seed to FILE (0600) so automation can make codes",
    );
}

function addLocalOptions(cmd: Command): Command {
  return cmd
    .option(
      "--local-profile <name>",
      "the profile to write (default: the role name in lower case, e.g. bizcorprole)",
    )
    .option("--source-profile <name>", "the profile with the user's keys (default: the user name)")
    .option("--role-session-name <name>", "role_session_name for the profile")
    .option("--duration-seconds <seconds>", "duration_seconds for the profile (900-43200)");
}

/** Everything validated up front, before any AWS call or file write. */
interface TrustingInput {
  roleName: string;
  externalId?: string;
  generated: boolean;
  requireMfa: boolean;
  policyArns: string[];
  amplifyCli: boolean;
  maxSessionDuration?: number;
}

async function trustingInput(ctx: CliContext, o: TrustingOptions): Promise<TrustingInput> {
  const roleName = validateRoleName(
    await flagOrAsk(ctx, o.roleName, {
      message: "Role name in the trusting account:",
      flag: "--role-name",
      default: "BizCorpRole",
    }),
    "--role-name",
  );
  if (o.externalId !== undefined && o.generateExternalId)
    throw usageError("usage", "Give --external-id or --generate-external-id, not both.");
  let externalId = o.externalId === undefined ? undefined : validateExternalId(o.externalId, "--external-id");
  let generated = o.generateExternalId === true;
  let requireMfa = o.requireMfa === true;
  const policyArns = (o.policyArn ?? []).map((a) => validatePolicyArn(a, "--policy-arn"));
  let amplifyCli = o.amplifyCliPolicy === true;
  if (o.admin) policyArns.push(ADMIN_POLICY);
  if (!ctx.nonInteractive) {
    // The wizard: ask only what the flags left out.
    if (externalId === undefined && !generated) {
      const choice = await ctx.prompter.select<"generate" | "enter" | "none">({
        message: "External id:",
        flag: "--external-id / --generate-external-id",
        choices: [
          { name: "Generate a random one", value: "generate" },
          { name: "Enter one (given to you by the other side)", value: "enter" },
          { name: "None", value: "none" },
        ],
      });
      if (choice === "generate") generated = true;
      if (choice === "enter")
        externalId = validateExternalId(
          await ctx.prompter.input({ message: "External id:", flag: "--external-id" }),
          "--external-id",
        );
    }
    if (o.requireMfa === undefined)
      requireMfa = await ctx.prompter.confirm({
        message: "Require MFA?",
        flag: "--require-mfa",
        default: true,
      });
    if (policyArns.length === 0 && !amplifyCli) {
      const choice = await ctx.prompter.select<"amplify" | "admin" | "arn">({
        message: "Permissions for the role:",
        flag: "--policy-arn / --amplify-cli-policy / --admin",
        choices: [
          { name: "The Amplify CLI policy", value: "amplify" },
          { name: "AdministratorAccess", value: "admin" },
          { name: "A managed policy ARN", value: "arn" },
        ],
      });
      if (choice === "amplify") amplifyCli = true;
      if (choice === "admin") policyArns.push(ADMIN_POLICY);
      if (choice === "arn")
        policyArns.push(
          validatePolicyArn(
            await ctx.prompter.input({ message: "Policy ARN:", flag: "--policy-arn" }),
            "--policy-arn",
          ),
        );
    }
  }
  if (generated) externalId = randomBytes(24).toString("base64url");
  const maxSessionDuration =
    o.maxSessionDuration === undefined
      ? undefined
      : parseMaxSessionDuration(o.maxSessionDuration, "--max-session-duration");
  return {
    roleName,
    ...(externalId ? { externalId } : {}),
    generated,
    requireMfa,
    policyArns,
    amplifyCli,
    ...(maxSessionDuration ? { maxSessionDuration } : {}),
  };
}

async function desiredTrustingRole(
  t: TrustingInput,
  trustedAccount: string,
  partition: string,
): Promise<DesiredRole> {
  const [{ accountTrust }, { amplifyCliPolicy }] = await Promise.all([
    import("../../core/policies/trust.js"),
    import("../../core/policies/amplify-cli.js"),
  ]);
  return {
    name: t.roleName,
    path: "/",
    trustPolicy: accountTrust({
      accountId: trustedAccount,
      partition,
      ...(t.externalId ? { externalId: t.externalId } : {}),
      requireMfa: t.requireMfa,
    }),
    description: `Cross-account access for account ${trustedAccount} (rolectl cross-account)`,
    ...(t.maxSessionDuration ? { maxSessionDuration: t.maxSessionDuration } : {}),
    managedPolicies: t.policyArns,
    inlinePolicies: t.amplifyCli ? { "amplify-cli": amplifyCliPolicy() } : {},
    tags: [],
  };
}

interface TrustedInput {
  user: string;
  assumePolicyName?: string;
  createAccessKey: boolean;
  mfa: boolean;
  mfaCodes?: [string, string];
  mfaSeedOut?: string;
}

async function trustedInput(ctx: CliContext, o: TrustedOptions): Promise<TrustedInput> {
  const user = validateUserName(
    await flagOrAsk(ctx, o.user, {
      message: "IAM user in the trusted account:",
      flag: "--user",
      default: "devcorpuser",
    }),
    "--user",
  );
  let mfaCodes: [string, string] | undefined;
  if (o.mfaCodes !== undefined) {
    const parts = o.mfaCodes.split(",").map((c) => c.trim());
    if (parts.length !== 2)
      throw usageError("invalid_value", "Invalid MFA codes (--mfa-codes): must be two codes, C1,C2.");
    const [c1, c2] = parts.map((c) => validateMfaCode(c, "--mfa-codes")) as [string, string];
    if (c1 === c2)
      throw usageError(
        "invalid_value",
        "Invalid MFA codes (--mfa-codes): must be two different, consecutive codes.",
      );
    mfaCodes = [c1, c2];
    ctx.out.addSecret(c1);
    ctx.out.addSecret(c2);
  }
  let mfa = o.mfa === true || mfaCodes !== undefined || o.mfaSeedOut !== undefined;
  let createAccessKey = o.createAccessKey === true;
  if (!ctx.nonInteractive) {
    if (o.mfa === undefined && !mfa)
      mfa = await ctx.prompter.confirm({
        message: `Give ${user} a virtual MFA device?`,
        flag: "--mfa",
        default: true,
      });
    if (o.createAccessKey === undefined)
      createAccessKey = await ctx.prompter.confirm({
        message: `Create an access key for ${user}?`,
        flag: "--create-access-key",
        default: true,
      });
  }
  return {
    user,
    ...(o.assumePolicyName !== undefined
      ? { assumePolicyName: validatePolicyName(o.assumePolicyName, "--assume-policy-name") }
      : {}),
    createAccessKey,
    mfa,
    ...(mfaCodes ? { mfaCodes } : {}),
    ...(o.mfaSeedOut !== undefined ? { mfaSeedOut: o.mfaSeedOut } : {}),
  };
}

interface TrustedResult {
  account: string;
  user: { name: string; status: string };
  policy: { arn: string; status: string; attached: boolean };
  accessKey?: { status: string; accessKeyId?: string; secretAccessKey?: string };
  mfa?: { status: string; serial?: string; seed?: string; otpauthUri?: string; seedFile?: string };
}

/** The two consecutive codes that enable a new device: given, prompted, or computed from its seed. */
async function enableCodes(
  ctx: CliContext,
  t: TrustedInput,
  device: { serial: string; seed: string },
  account: string,
): Promise<[string, string]> {
  const [{ writeFileAtomic }, { otpauthUri }] = await Promise.all([
    import("../../fs/atomic.js"),
    import("../../core/cross-account/trusted-side.js"),
  ]);
  ctx.out.addSecret(device.seed);
  if (t.mfaSeedOut) await writeFileAtomic(t.mfaSeedOut, `${device.seed}\n`, 0o600);
  const { canPromptOnTty } = await import("../../io/tty-prompt.js");
  if (!ctx.nonInteractive && canPromptOnTty()) {
    // Shown on the terminal itself, never on stderr or in a log.
    const [{ renderUnicodeCompact }, { openSync, writeSync, closeSync }] = await Promise.all([
      import("uqr"),
      import("node:fs"),
    ]);
    const fd = openSync("/dev/tty", "w");
    writeSync(
      fd,
      `\nScan this with your authenticator app (or type the secret key):\n${renderUnicodeCompact(otpauthUri(device.seed, t.user, account), { border: 1 })}\nSecret key: ${device.seed}\n\n`,
    );
    closeSync(fd);
  }
  if (t.mfaCodes) return t.mfaCodes;
  if (!ctx.nonInteractive && !t.mfaSeedOut) {
    const code1 = validateMfaCode(
      await ctx.prompter.secret({ message: "MFA code 1:", flag: "--mfa-codes" }),
      "MFA code 1",
    );
    const code2 = validateMfaCode(
      await ctx.prompter.secret({ message: "MFA code 2 (wait for the next one):", flag: "--mfa-codes" }),
      "MFA code 2",
    );
    return [code1, code2];
  }
  // Automation: compute two consecutive codes from the seed we hold, and remember the window.
  const [{ base32Decode, totpCode, totpCounter }, { fileTotpState }, { cacheDirFor }, { ensureCacheDir }] =
    await Promise.all([
      import("../../core/assume/totp.js"),
      import("../../cache/totp-state.js"),
      import("../../cache/location.js"),
      import("../../cache/store.js"),
    ]);
  const secret = base32Decode(device.seed);
  const counter = totpCounter(Date.now());
  const dir = cacheDirFor(ctx.env, ctx.home);
  await ensureCacheDir(dir);
  await fileTotpState(dir).remember(device.serial, counter + 1);
  return [totpCode(secret, counter), totpCode(secret, counter + 1)];
}

async function grantUser(
  ctx: CliContext,
  clients: ReturnType<CliContext["clientsFor"]> | { iam: CliContext["iam"]; sts: CliContext["sts"] },
  t: TrustedInput,
  roleArn: string,
  knownKeyId: string | undefined,
): Promise<TrustedResult> {
  const [{ getCallerIdentity }, side, { upsertManagedPolicy, attachPolicy }] = await Promise.all([
    import("../../core/whoami.js"),
    import("../../core/cross-account/trusted-side.js"),
    import("../../core/policies/managed.js"),
  ]);
  const dryRun = ctx.opts.dryRun === true;
  const caller = await getCallerIdentity(await clients.sts());
  const iam = await clients.iam();
  const role = parseRoleArn(roleArn);
  const policyName = t.assumePolicyName ?? `AssumeRole-${role.name}-${role.accountId}`.slice(0, 128);
  const progress = await ctx.progress(`Trusted account ${caller.account}: policy ${policyName}`);
  try {
    const policy = await upsertManagedPolicy(iam, {
      arn: customerPolicyArn(partitionOf(caller.arn), caller.account, policyName),
      name: policyName,
      document: side.assumeRolePolicy(roleArn),
      description: `Lets its holders assume ${roleArn} (rolectl cross-account)`,
      dryRun,
    });
    progress.update(`Trusted account ${caller.account}: user ${t.user}`);
    const userStatus = await side.ensureUser(iam, t.user, dryRun);
    const attached =
      userStatus === "would-create" ? true : await attachPolicy(iam, { user: t.user }, policy.arn, dryRun);
    let accessKey: TrustedResult["accessKey"];
    if (t.createAccessKey) {
      progress.update(`Trusted account ${caller.account}: access key for ${t.user}`);
      accessKey =
        userStatus === "would-create"
          ? { status: "would-create" }
          : await side.ensureAccessKey(iam, t.user, knownKeyId, dryRun);
      ctx.out.addSecret(accessKey.secretAccessKey);
    }
    let mfa: TrustedResult["mfa"];
    if (t.mfa) {
      progress.stop();
      const device =
        userStatus === "would-create"
          ? { status: "would-create" as const }
          : await side.ensureVirtualMfa(iam, t.user, (d) => enableCodes(ctx, t, d, caller.account), dryRun);
      mfa = {
        status: device.status,
        ...(device.serial ? { serial: device.serial } : {}),
        ...(device.seed && !t.mfaSeedOut
          ? { seed: device.seed, otpauthUri: side.otpauthUri(device.seed, t.user, caller.account) }
          : {}),
        ...(device.seed && t.mfaSeedOut ? { seedFile: t.mfaSeedOut } : {}),
      };
    }
    progress.stop();
    return {
      account: caller.account,
      user: { name: t.user, status: userStatus },
      policy: { arn: policy.arn, status: policy.status, attached },
      ...(accessKey ? { accessKey } : {}),
      ...(mfa ? { mfa } : {}),
    };
  } catch (err) {
    progress.fail("Trusted side failed");
    throw err;
  }
}

interface LocalInput {
  profile: string;
  sourceProfile: string;
  roleSessionName?: string;
  durationSeconds?: number;
  region?: string;
  force: boolean;
}

function localInput(
  ctx: CliContext,
  o: LocalOptions,
  roleName: string,
  user: string | undefined,
): LocalInput {
  const sourceProfile = validateProfileName(o.sourceProfile ?? user ?? "", "--source-profile");
  return {
    profile: validateProfileName(o.localProfile ?? roleName.toLowerCase(), "--local-profile"),
    sourceProfile,
    ...(o.roleSessionName !== undefined
      ? { roleSessionName: validateSessionName(o.roleSessionName, "--role-session-name") }
      : {}),
    ...(o.durationSeconds !== undefined
      ? { durationSeconds: parseDuration(o.durationSeconds, "--duration-seconds") }
      : {}),
    ...(ctx.opts.region ? { region: ctx.opts.region } : {}),
    force: o.force === true,
  };
}

interface ProfileWrite {
  configPath: string;
  credentialsPath: string;
  profile: string;
  values: Record<string, string>;
  sourceProfile: string;
  keys?: { accessKeyId: string; secretAccessKey: string };
}

/** Refuses (exit 5, with a masked diff) to overwrite a profile that holds different values. */
async function checkProfileConflicts(w: ProfileWrite, force: boolean): Promise<void> {
  if (force) return;
  const [{ readIniFile }, local] = await Promise.all([
    import("../../config/files.js"),
    import("../../core/cross-account/local-profile.js"),
  ]);
  const config = readIniFile(w.configPath);
  const credentials = readIniFile(w.credentialsPath);
  const diffs: string[] = [];
  const existing = local.existingConfigProfile(config, w.profile);
  if (existing) diffs.push(...local.profileDiff(existing, w.values).map((d) => `[profile ${w.profile}]${d}`));
  if (w.keys) {
    const section = credentials?.sections.find((s) => s.name === w.sourceProfile);
    if (section) {
      const { sectionValues } = await import("../../config/ini.js");
      diffs.push(
        ...local
          .profileDiff(sectionValues(section), {
            aws_access_key_id: w.keys.accessKeyId,
            aws_secret_access_key: w.keys.secretAccessKey,
          })
          .map((d) => `[${w.sourceProfile}]${d}`),
      );
    }
  }
  if (diffs.length) {
    throw conflictError(
      "profile_conflict",
      `Profile ${w.profile} already exists with different values:\n${diffs.join("\n")}`,
      {
        hint: "Pass --force to overwrite them, or choose another --local-profile.",
      },
    );
  }
}

/** One atomic edit per file (so the .bak is the file as it was before this command). */
async function writeProfiles(ctx: CliContext, w: ProfileWrite): Promise<string[]> {
  const [{ editConfigFile, upsertSection }, local] = await Promise.all([
    import("../../config/edit.js"),
    import("../../core/cross-account/local-profile.js"),
  ]);
  const dryRun = ctx.opts.dryRun === true;
  const edit = async (
    path: string,
    changes: { section: string; values: Record<string, string> }[],
    enforceMode: boolean,
  ) => {
    const names = changes.map((c) => `[${c.section}]`).join(" and ");
    if (dryRun) return `would write ${names} to ${path}`;
    const r = await editConfigFile(
      path,
      (text) => {
        let next = text;
        let changed = false;
        for (const change of changes) {
          const u = upsertSection(next, path, change);
          next = u.text;
          changed ||= u.changed;
        }
        return changed ? next : undefined;
      },
      { mode: 0o600, enforceMode },
    );
    return `${r.written ? "wrote" : "unchanged"} ${names} in ${path}`;
  };
  const configChanges = [
    { section: local.configSectionName(w.profile), values: w.values },
    ...(w.values.region
      ? [{ section: local.configSectionName(w.sourceProfile), values: { region: w.values.region } }]
      : []),
  ];
  const written = [await edit(w.configPath, configChanges, false)];
  if (w.keys) {
    const keys = { aws_access_key_id: w.keys.accessKeyId, aws_secret_access_key: w.keys.secretAccessKey };
    written.push(await edit(w.credentialsPath, [{ section: w.sourceProfile, values: keys }], true));
  }
  return written;
}

async function awsPaths(ctx: CliContext) {
  const { awsFilePaths } = await import("../../config/files.js");
  return awsFilePaths(ctx.env, ctx.home);
}

/** The key id the local source profile already holds, so a re-run does not make another key. */
async function knownKeyId(ctx: CliContext, sourceProfile: string): Promise<string | undefined> {
  const { readIniFile } = await import("../../config/files.js");
  const file = readIniFile((await awsPaths(ctx)).credentials);
  return file?.sections.find((s) => s.name === sourceProfile)?.entries.get("aws_access_key_id")?.value;
}

export function registerCrossAccount(program: Command, run: CommandRunner): void {
  const group = program
    .command("cross-account")
    .description(
      "let a user of one account (Dev Corp, trusted) work in a role of another (Biz Corp, trusting), as in the Amplify docs",
    );
  withExamples(group, [
    "rolectl cross-account setup   # the wizard, on a terminal",
    "rolectl cross-account trust-role --profile bizadmin --role-name BizCorpRole --trusted-account 222222222222 --generate-external-id --require-mfa --amplify-cli-policy",
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
      "rolectl cross-account setup --no-input --trusting-profile bizadmin --trusted-profile devadmin \\\n      --role-name BizCorpRole --external-id Ext-1234567890 --require-mfa \\\n      --policy-arn arn:aws:iam::aws:policy/AdministratorAccess-Amplify \\\n      --user devcorpuser --create-access-key --mfa --mfa-codes 123456,654321 \\\n      --local-profile bizcorprole --region us-east-1",
      "rolectl cross-account setup --trusting-profile bizadmin --trusted-profile devadmin --dry-run",
    ],
  ).action(run<SetupOptions>((ctx, o) => setupAction(ctx, o)));

  withExamples(
    addTrustingOptions(
      group.command("trust-role").description("part 1, in the trusting account (uses --profile): the role"),
      true,
    ).option("--force", "take over a role of that name even if it trusts something else"),
    [
      "rolectl cross-account trust-role --profile bizadmin --role-name BizCorpRole --trusted-account 222222222222 --external-id Ext-1234567890 --require-mfa --amplify-cli-policy",
    ],
  ).action(
    run<TrustingOptions>(async (ctx, o) => {
      const t = await trustingInput(ctx, o);
      const trustedAccount = validateAccountId(
        await flagOrAsk(ctx, o.trustedAccount, { message: "Trusted account id:", flag: "--trusted-account" }),
        "--trusted-account",
      );
      const { getCallerIdentity } = await import("../../core/whoami.js");
      const caller = await getCallerIdentity(await ctx.sts());
      if (caller.account === trustedAccount)
        ctx.out.warn(
          "The trusted account is the account the role is in: the role then only adds the MFA/external-id checks.",
        );
      const outcome = await provisionRole(
        ctx,
        await desiredTrustingRole(t, trustedAccount, partitionOf(caller.arn)),
        { force: o.force === true },
      );
      const arn = outcome.arn || `arn:${partitionOf(caller.arn)}:iam::${caller.account}:role/${t.roleName}`;
      const next = `rolectl cross-account grant-user --profile <trusted admin> --role-arn ${arn} --user <user> --create-access-key${t.requireMfa ? " --mfa" : ""}`;
      ctx.out.result(
        {
          role: { name: t.roleName, arn, status: outcome.status, actions: outcome.actions },
          ...(t.externalId ? { externalId: t.externalId } : {}),
          next,
        },
        () =>
          [
            `${outcome.status}  ${arn}`,
            ...(t.generated
              ? [`external id  ${t.externalId}  (give it to the other side; it is not shown again)`]
              : []),
            "Next, in the trusted account:",
            `  ${next}`,
          ].join("\n"),
      );
    }),
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
    run<TrustedOptions>(async (ctx, o) => {
      const roleArn = parseRoleArn(
        await flagOrAsk(ctx, o.roleArn, { message: "Role ARN in the trusting account:", flag: "--role-arn" }),
        "--role-arn",
      ).arn;
      const t = await trustedInput(ctx, o);
      const r = await grantUser(ctx, ctx, t, roleArn, await knownKeyId(ctx, t.user));
      const next = `rolectl cross-account write-profile --role-arn ${roleArn} --source-profile ${t.user}${r.mfa?.serial ? ` --mfa-serial ${r.mfa.serial}` : ""} --external-id <id>`;
      ctx.out.result({ ...r, next }, () => describeTrusted(r, next));
    }),
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
    run<LocalOptions & { roleArn?: string; externalId?: string }>(async (ctx, o) => {
      const role = parseRoleArn(
        await flagOrAsk(ctx, o.roleArn, { message: "Role ARN:", flag: "--role-arn" }),
        "--role-arn",
      );
      const l = localInput(
        ctx,
        {
          ...o,
          sourceProfile: await flagOrAsk(ctx, o.sourceProfile, {
            message: "Source profile (the user's keys):",
            flag: "--source-profile",
          }),
        },
        role.name,
        undefined,
      );
      const externalId =
        o.externalId === undefined ? undefined : validateExternalId(o.externalId, "--external-id");
      const mfaSerial =
        o.mfaSerial === undefined ? undefined : validateMfaSerial(o.mfaSerial, "--mfa-serial");
      let keys: ProfileWrite["keys"];
      if (o.accessKeyId !== undefined) {
        const secret =
          ctx.env.ROLECTL_SECRET_ACCESS_KEY ??
          (await ctx.prompter.secret({ message: "Secret access key:", flag: "ROLECTL_SECRET_ACCESS_KEY" }));
        ctx.out.addSecret(secret);
        if (!/^[A-Z0-9]{16,128}$/.test(o.accessKeyId))
          throw usageError(
            "invalid_value",
            `Invalid access key id ${JSON.stringify(o.accessKeyId)} (--access-key-id): must be 16-128 upper-case letters and digits.`,
          );
        keys = { accessKeyId: o.accessKeyId, secretAccessKey: secret };
      }
      const { roleProfileValues } = await import("../../core/cross-account/local-profile.js");
      const paths = await awsPaths(ctx);
      const w: ProfileWrite = {
        configPath: paths.config,
        credentialsPath: paths.credentials,
        profile: l.profile,
        sourceProfile: l.sourceProfile,
        values: roleProfileValues({
          profile: l.profile,
          roleArn: role.arn,
          sourceProfile: l.sourceProfile,
          ...(mfaSerial ? { mfaSerial } : {}),
          ...(externalId ? { externalId } : {}),
          ...(l.region ? { region: l.region } : {}),
          ...(l.roleSessionName ? { roleSessionName: l.roleSessionName } : {}),
          ...(l.durationSeconds ? { durationSeconds: l.durationSeconds } : {}),
        }),
        ...(keys ? { keys } : {}),
      };
      await checkProfileConflicts(w, l.force);
      const written = await writeProfiles(ctx, w);
      ctx.out.result({ profile: l.profile, values: w.values, files: written }, () => written.join("\n"));
    }),
  );
}

const human = (status: string) => status.replace("-", " ");

function describeTrusted(r: TrustedResult, next?: string): string {
  return [
    `trusted account ${r.account}`,
    `  policy      ${r.policy.arn} (${human(r.policy.status)}${r.policy.attached ? ", attached" : ""})`,
    `  user        ${r.user.name} (${human(r.user.status)})`,
    ...(r.accessKey
      ? [
          `  access key  ${r.accessKey.accessKeyId ?? "-"} (${human(r.accessKey.status)})`,
          ...(r.accessKey.secretAccessKey
            ? [`  secret key  ${r.accessKey.secretAccessKey}  (shown once)`]
            : []),
        ]
      : []),
    ...(r.mfa ? [`  MFA device  ${r.mfa.serial ?? "-"} (${human(r.mfa.status)})`] : []),
    ...(r.mfa?.seed ? [`  MFA secret  ${r.mfa.seed}  (shown once: add it to an authenticator app)`] : []),
    ...(r.mfa?.seedFile ? [`  MFA secret  written to ${r.mfa.seedFile} (0600)`] : []),
    ...(next ? ["Next, on the developer's machine:", `  ${next}`] : []),
  ].join("\n");
}

async function setupAction(ctx: CliContext, o: SetupOptions): Promise<void> {
  const trustingProfile = validateProfileName(
    await flagOrAsk(ctx, o.trustingProfile, {
      message: "Profile with admin credentials in the trusting account (Biz Corp):",
      flag: "--trusting-profile",
    }),
    "--trusting-profile",
  );
  const trustedProfile = validateProfileName(
    await flagOrAsk(ctx, o.trustedProfile, {
      message: "Profile with admin credentials in the trusted account (Dev Corp):",
      flag: "--trusted-profile",
    }),
    "--trusted-profile",
  );
  const t = await trustingInput(ctx, o);
  const u = await trustedInput(ctx, o);
  const l = localInput(ctx, o, t.roleName, u.user);
  if (o.verifyMfaCode !== undefined) validateMfaCode(o.verifyMfaCode, "--verify-mfa-code");
  const dryRun = ctx.opts.dryRun === true;

  const { getCallerIdentity } = await import("../../core/whoami.js");
  const trusting = ctx.clientsFor(trustingProfile);
  const trusted = ctx.clientsFor(trustedProfile);
  const [bizCaller, devCaller] = await Promise.all([
    getCallerIdentity(await trusting.sts()),
    getCallerIdentity(await trusted.sts()),
  ]);
  if (bizCaller.account === devCaller.account) {
    ctx.out.warn(
      `Both profiles are in account ${bizCaller.account}: the role will trust its own account (allowed, but unusual).`,
    );
  }
  const partition = partitionOf(bizCaller.arn);
  const roleArn = `arn:${partition}:iam::${bizCaller.account}:role/${t.roleName}`;
  const { roleProfileValues } = await import("../../core/cross-account/local-profile.js");
  const paths = await awsPaths(ctx);
  const region = l.region ?? (await trusted.settings()).region;
  const profileValues = (mfaSerial?: string) =>
    roleProfileValues({
      profile: l.profile,
      roleArn,
      sourceProfile: l.sourceProfile,
      ...(mfaSerial ? { mfaSerial } : {}),
      ...(t.externalId ? { externalId: t.externalId } : {}),
      region,
      ...(l.roleSessionName ? { roleSessionName: l.roleSessionName } : {}),
      ...(l.durationSeconds ? { durationSeconds: l.durationSeconds } : {}),
    });
  // Refuse a conflicting local profile before changing anything in AWS.
  await checkProfileConflicts(
    {
      configPath: paths.config,
      credentialsPath: paths.credentials,
      profile: l.profile,
      sourceProfile: l.sourceProfile,
      values: profileValues(),
    },
    l.force,
  );

  if (!ctx.nonInteractive && !ctx.opts.yes && !dryRun) {
    ctx.out.info(
      [
        "Plan:",
        `  1. account ${bizCaller.account} (${trustingProfile}): role ${t.roleName} trusting ${devCaller.account}${t.externalId ? " with an external id" : ""}${t.requireMfa ? ", MFA required" : ""}`,
        `  2. account ${devCaller.account} (${trustedProfile}): assume policy, user ${u.user}${u.createAccessKey ? ", access key" : ""}${u.mfa ? ", MFA device" : ""}`,
        `  3. ${paths.config}: [profile ${l.profile}]${u.createAccessKey ? `; ${paths.credentials}: [${l.sourceProfile}]` : ""}`,
      ].join("\n"),
    );
    if (!(await ctx.prompter.confirm({ message: "Go ahead?", flag: "--yes", default: true }))) {
      ctx.out.info("Nothing changed.");
      return;
    }
  }

  const outcome = await provisionRole(ctx, await desiredTrustingRole(t, devCaller.account, partition), {
    force: o.force === true,
    iam: await trusting.iam(),
  });
  const granted = await grantUser(ctx, trusted, u, roleArn, await knownKeyId(ctx, l.sourceProfile));
  const keys =
    granted.accessKey?.accessKeyId && granted.accessKey.secretAccessKey
      ? { accessKeyId: granted.accessKey.accessKeyId, secretAccessKey: granted.accessKey.secretAccessKey }
      : undefined;
  const write: ProfileWrite = {
    configPath: paths.config,
    credentialsPath: paths.credentials,
    profile: l.profile,
    sourceProfile: l.sourceProfile,
    values: profileValues(granted.mfa?.serial),
    ...(keys ? { keys } : {}),
  };
  await checkProfileConflicts(write, l.force);
  const values = write.values;
  const files = await writeProfiles(ctx, write);
  if (dryRun && granted.accessKey?.status === "would-create")
    files.push(`would write [${l.sourceProfile}] to ${paths.credentials}`);

  let verified: string | undefined;
  if (o.verify && !dryRun)
    verified = await proveProfile(ctx, l.profile, roleArn, o.verifyMfaCode, granted.mfa?.seed, t.requireMfa);

  const result = {
    trusting: {
      account: bizCaller.account,
      role: { name: t.roleName, arn: roleArn, status: outcome.status, actions: outcome.actions },
      ...(t.externalId ? { externalId: t.externalId } : {}),
    },
    trusted: granted,
    profile: { name: l.profile, values, files },
    ...(verified ? { verified } : {}),
  };
  ctx.out.result(result, () =>
    [
      `trusting account ${bizCaller.account}`,
      `  role        ${roleArn} (${human(outcome.status)})`,
      ...(t.generated ? [`  external id ${t.externalId}  (shown once)`] : []),
      describeTrusted(granted),
      "local profile",
      ...files.map((f) => `  ${f}`),
      ...(verified ? [`verified: ${verified}`] : []),
      ...(dryRun
        ? []
        : [
            "",
            `Use it:  eval "$(rolectl assume --profile ${l.profile})"   or   aws --profile ${l.profile} …`,
          ]),
    ].join("\n"),
  );
}

/** A real AssumeRole through the new profile, riding out IAM's propagation delay. */
async function proveProfile(
  ctx: CliContext,
  profile: string,
  roleArn: string,
  code: string | undefined,
  seed: string | undefined,
  requireMfa: boolean,
): Promise<string> {
  const [
    { loadSharedConfig, awsFilePaths },
    { resolveProfile },
    { planChain },
    { resolveChainCredentials },
    { verifyAssumable },
    { buildChainDeps },
  ] = await Promise.all([
    import("../../config/files.js"),
    import("../../config/profiles.js"),
    import("../../core/assume/plan.js"),
    import("../../core/assume/chain.js"),
    import("../../core/roles/verify.js"),
    import("../credentials.js"),
  ]);
  const shared = loadSharedConfig(awsFilePaths(ctx.env, ctx.home));
  const plan = planChain(resolveProfile(shared, profile), ctx.env);
  if (requireMfa && !code && !seed && ctx.nonInteractive && !ctx.env.ROLECTL_MFA_CODE) {
    return `skipped: the role requires MFA and no code was given (--verify-mfa-code); try: rolectl assume --profile ${profile}`;
  }
  const deps = await buildChainDeps(
    ctx,
    { refresh: true, ...(code ? { mfaCode: code } : {}) },
    seed ? { totpSeed: seed } : {},
  );
  // One MFA code serves every retry: a denied attempt does not use it up.
  let mfaCode: string | undefined;
  const mfa = deps.mfa;
  deps.mfa = async (r) => {
    mfaCode ??= await mfa(r);
    return mfaCode;
  };
  const progress = await ctx.progress(`Assuming ${roleArn} through profile ${profile}…`);
  try {
    const r = await verifyAssumable(() => resolveChainCredentials(plan, deps), roleArn, {
      timeoutMs: 45_000,
      onAttempt: (n, ms) =>
        progress.update(
          `Assuming ${roleArn} through profile ${profile} (attempt ${n}, ${Math.round(ms / 1000)} s)…`,
        ),
    });
    progress.stop();
    return `profile ${profile} assumed ${roleArn} (attempt ${r.attempts})`;
  } catch (err) {
    progress.fail("Could not prove the new profile");
    throw err;
  }
}
