// `npm run demo`: the whole rolectl story against a real local moto_server. Two accounts
// (Biz Corp 111111111111 trusting, Dev Corp 222222222222 trusted) on one emulator, behind the
// test proxy in strict mode (it enforces external id and MFA as AWS would) and playing Amplify.
import { credentialsSection, keysFor } from "../test/support/accounts.js";
import { createSandbox } from "../test/support/cli.js";
import { startMoto } from "../test/support/moto.js";
import { TestProxy } from "../test/support/proxy.js";

const bold = (s: string) => (process.stdout.isTTY ? `\u001b[1m${s}\u001b[0m` : s);
process.stdout.write("Starting moto_server (with AWS managed policies)…\n");
const moto = await startMoto();
const proxy = await TestProxy.start(moto.url);
proxy.strict = true;
proxy.amplifyApps.set("d1bizcorpshop", {
  appId: "d1bizcorpshop",
  name: "inventory-portal",
  branches: { main: {} },
});
const sandbox = createSandbox({ endpoint: proxy.url });
let failed = false;

/** Long secrets are shortened in the demo's own output (the real command prints them whole). */
const shorten = (text: string) => text.replace(/([A-Za-z0-9/+=]{24})[A-Za-z0-9/+=]{16,}/g, "$1…");

async function step(
  title: string,
  args: string[],
  options: { env?: Record<string, string>; expect?: number; maxLines?: number } = {},
) {
  process.stdout.write(`${title ? `\n${bold(`# ${title}`)}` : ""}\n$ rolectl ${args.join(" ")}\n`);
  const r = await sandbox.run(args, { ...(options.env ? { env: options.env } : {}), timeoutMs: 120_000 });
  const lines = shorten(r.stdout).split("\n");
  const max = options.maxLines ?? 40;
  process.stdout.write(
    lines.length > max
      ? `${lines.slice(0, max).join("\n")}\n… (${lines.length - max} more lines)\n`
      : lines.join("\n"),
  );
  if (r.stderr.trim()) process.stdout.write(`${r.stderr.trimEnd().replace(/^/gm, "  (stderr) ")}\n`);
  if (r.code !== (options.expect ?? 0)) {
    failed = true;
    process.stdout.write(`!! exit ${r.code}, expected ${options.expect ?? 0}\n`);
  }
  return r;
}

try {
  const biz = await keysFor(moto.url, "111111111111");
  const dev = await keysFor(moto.url, "222222222222");
  sandbox.writeConfig("[profile bizadmin]\nregion = us-east-1\n\n[profile devadmin]\nregion = us-east-1\n");
  sandbox.writeCredentials(`${credentialsSection("bizadmin", biz)}\n${credentialsSection("devadmin", dev)}`);
  process.stdout.write(`moto_server on ${moto.url}; rolectl talks to it through ${proxy.url}\n`);

  await step("Who are the two admins?", ["whoami", "--profile", "bizadmin"]);
  await step("", ["whoami", "--profile", "devadmin"]);
  const setup = [
    ...[
      "cross-account",
      "setup",
      "--no-input",
      "--trusting-profile",
      "bizadmin",
      "--trusted-profile",
      "devadmin",
    ],
    ...["--role-name", "BizCorpRole", "--external-id", "Ext-1234567890", "--require-mfa"],
    ...["--managed-policy", "arn:aws:iam::aws:policy/AdministratorAccess-Amplify"],
    ...[
      "--user",
      "devcorpuser",
      "--create-access-key",
      "--mfa",
      "--local-profile",
      "bizcorprole",
      "--region",
      "us-east-1",
    ],
  ];
  await step(
    "Seed 001 in one command: role in Biz Corp, user + key + MFA in Dev Corp, local profile, proven",
    [...setup, ...["--mfa-codes", "123456,654321", "--verify-mfa-code", "246810"]],
  );
  await step("Running it again changes nothing", [...setup, "--no-verify"]);
  // A second developer; the connection drops right after AWS made the access key.
  proxy.inject("CreateAccessKey", { kind: "lostAnswer" }, 1);
  await step(
    "The answer to CreateAccessKey is lost: rolectl reads IAM, deletes the key nobody holds, makes one more",
    [
      ...["cross-account", "grant-user", "--no-input", "--profile", "devadmin"],
      ...["--role-arn", "arn:aws:iam::111111111111:role/BizCorpRole", "--user", "seconddev"],
      ...["--access-key-out", `${sandbox.dir}/seconddev.key`],
    ],
  );
  await step(
    "Without an MFA code, in CI, rolectl says where a code can come from (exit 4)",
    ["assume", "--profile", "bizcorprole", "--refresh"],
    {
      env: { CI: "true" },
      expect: 4,
    },
  );
  await step("Assume with MFA: export lines for eval", [
    "assume",
    "--profile",
    "bizcorprole",
    "--refresh",
    "--mfa-code",
    "135790",
  ]);
  await step("The same credentials again, from the cache (no AWS call, no MFA)", [
    "credential-process",
    "--profile",
    "bizcorprole",
  ]);
  await step("What the cache holds (never secrets)", ["cache", "list"]);
  await step("Amplify Hosting's service role, set on an app", [
    "amplify-service-role",
    "--profile",
    "bizadmin",
    "--app-id",
    "d1bizcorpshop",
  ]);
  await step("Idempotent: the second run writes nothing", [
    "amplify-service-role",
    "--profile",
    "bizadmin",
    "--app-id",
    "d1bizcorpshop",
  ]);
  await step("Gen 2 backends: the narrower policy in place of the broad one (the plan)", [
    "amplify-service-role",
    "--profile",
    "bizadmin",
    "--gen2",
    "--dry-run",
  ]);
  await step("The role the main branch's server-side code runs as (SSR compute role)", [
    "amplify-compute-role",
    "--profile",
    "bizadmin",
    "--app-id",
    "d1bizcorpshop",
    "--branch",
    "main",
    "--managed-policy",
    "arn:aws:iam::aws:policy/ReadOnlyAccess",
  ]);
  await step(
    "The Amplify CLI policy without the auth category",
    ["policy", "amplify-cli", "--without", "auth"],
    { maxLines: 8 },
  );
  proxy.github.subject = "repo:bizcorp/portal:ref:refs/heads/main";
  await step("A role for GitHub Actions: only bizcorp/portal's workflows may assume it", [
    "role",
    "create",
    "gha-deploy",
    "--profile",
    "bizadmin",
    "--web-identity",
    "arn:aws:iam::111111111111:oidc-provider/token.actions.githubusercontent.com",
    "--audience",
    "sts.amazonaws.com",
    "--subject",
    "repo:bizcorp/portal:*",
  ]);
  await step("Amazon Connect's service-linked role", [
    "slr",
    "create",
    "--profile",
    "bizadmin",
    "--service",
    "connect",
    "--suffix",
    "portal",
  ]);
  await step("", ["slr", "list", "--profile", "bizadmin"]);
  const name = (
    await sandbox.run(["slr", "describe", "--profile", "bizadmin", "--service", "connect", "--json"])
  ).stdout;
  await step("Delete it and follow the deletion task", [
    "slr",
    "delete",
    JSON.parse(name).name,
    "--profile",
    "bizadmin",
    "--yes",
  ]);
  // IAM Identity Center: the proxy plays sso-oidc and the portal; "a person" approves the code.
  const { appendFileSync, readFileSync } = await import("node:fs");
  proxy.sso.autoApprove = true;
  proxy.sso.addAccount("222222222222", "Dev Corp", ["Developer"]);
  proxy.sso.addAccounts(25, { roleNames: ["AdministratorAccess", "ReadOnlyAccess"] });
  appendFileSync(
    sandbox.configPath,
    `\n[sso-session corp]\nsso_start_url = ${proxy.sso.startUrl}\nsso_region = ${proxy.sso.region}\n` +
      "\n[profile dev-sso]\nsso_session = corp\nsso_account_id = 222222222222\nsso_role_name = Developer\n",
  );
  await step("IAM Identity Center: sign in with the device flow (the token is shared with the AWS CLI)", [
    "sso",
    "login",
    "--sso-session",
    "corp",
    "--no-browser",
  ]);
  await step("The SSO profile's credentials, from the portal (cached like any role's)", [
    "whoami",
    "--profile",
    "dev-sso",
  ]);
  await step("A profile for every account and role the sign-in reaches, in one edit", [
    "sso",
    "populate",
    "--sso-session",
    "corp",
  ]);
  await step("Again: nothing to change", ["sso", "populate", "--sso-session", "corp"]);

  // Web identity: a CI job's OIDC token, no stored secret (the proxy plays GitHub's endpoint).
  await step(
    "A GitHub Actions job assumes a role with its OIDC token: no keys anywhere",
    [
      "exec",
      "--github-actions",
      "--role-arn",
      "arn:aws:iam::111111111111:role/gha-deploy",
      "--",
      "sh",
      "-c",
      'echo "deploying as $(echo $AWS_ACCESS_KEY_ID | cut -c1-8)…"',
    ],
    {
      env: {
        ACTIONS_ID_TOKEN_REQUEST_URL: proxy.github.url,
        ACTIONS_ID_TOKEN_REQUEST_TOKEN: proxy.github.requestToken,
      },
    },
  );

  await step(
    "Bad input is refused before any AWS call (exit 2)",
    ["role", "create", "bad name", "--trust-account", "12345"],
    { expect: 2 },
  );

  // An organization's generated config: 10,000 more profiles. The cache hit does not read it.
  const generated: string[] = [];
  for (let i = 0; i < 10_000; i++)
    generated.push(
      `\n[profile org-${i}]\nrole_arn = arn:aws:iam::${String(300000000000 + i)}:role/Admin\nsource_profile = devcorpuser\n`,
    );
  appendFileSync(sandbox.configPath, generated.join(""));
  await new Promise((r) => setTimeout(r, 1100)); // an edit this recent is always re-read
  const timed = async (title: string) => {
    const started = Date.now();
    await step(title, ["credential-process", "--profile", "bizcorprole"], { maxLines: 2 });
    process.stdout.write(
      `  (${Date.now() - started} ms, config of ${(readFileSync(sandbox.configPath).length / 1e6).toFixed(1)} MB)\n`,
    );
  };
  await timed("With 10,000 more profiles in the config: the first hit reads it once…");
  await timed("…and the next hits do not read it at all (the files' fingerprint is unchanged)");

  const writes = proxy.writeCalls().length;
  process.stdout.write(
    `\n${proxy.calls.length} AWS calls recorded by the proxy (${writes} that change IAM/Amplify state).\n`,
  );
} finally {
  sandbox.cleanup();
  await proxy.close();
  await moto.stop();
}
process.stdout.write(failed ? "\ndemo: FAILED\n" : "\ndemo: ok\n");
process.exit(failed ? 1 : 0);
