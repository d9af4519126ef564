// The organization-sized jobs of `npm run bench`: `rolectl audit` over 1,000 roles and
// `rolectl sso populate` over 1,000 accounts, through the test proxy (which counts the calls and
// plays IAM Identity Center). Wall time of the whole process; the calls it made. Returns
// markdown for bench/RESULTS.md; `tsx bench/org.ts` prints it alone.
import { createHash } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { CreateRoleCommand, IAMClient } from "@aws-sdk/client-iam";
import { DEFAULT_KEYS, githubTrust } from "../test/support/accounts.js";
import { createSandbox } from "../test/support/cli.js";
import { startMoto } from "../test/support/moto.js";
import { TestProxy } from "../test/support/proxy.js";

const ROLES = 1_000;
const ACCOUNTS = 1_000;

export async function orgReport(log: (line: string) => void): Promise<string> {
  const moto = await startMoto({ managedPolicies: "none" });
  const proxy = await TestProxy.start(moto.url);
  const sandbox = createSandbox({ endpoint: proxy.url });
  try {
    log(`bench: creating ${ROLES} roles…`);
    const iam = new IAMClient({ region: "us-east-1", endpoint: moto.url, credentials: DEFAULT_KEYS });
    const statements = [
      githubTrust(),
      { Effect: "Allow", Action: "sts:AssumeRole", Principal: { AWS: "arn:aws:iam::222222222222:root" } },
      { Effect: "Allow", Action: "sts:AssumeRole", Principal: { Service: "lambda.amazonaws.com" } },
    ];
    let next = 0;
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        for (let i = next++; i < ROLES; i = next++)
          await iam.send(
            new CreateRoleCommand({
              RoleName: `org-role-${i}`,
              AssumeRolePolicyDocument: JSON.stringify({
                Version: "2012-10-17",
                Statement: [statements[i % 3]],
              }),
            }),
          );
      }),
    );
    proxy.reset();
    log("bench: audit over 1,000 roles…");
    const started = Date.now();
    const audit = await sandbox.run(["audit", "--json"], { timeoutMs: 600_000 });
    const auditMs = Date.now() - started;
    const findings = (JSON.parse(audit.stdout) as { findings: unknown[] }).findings.length;
    const auditCalls = proxy.calls.length;

    log("bench: sso populate over 1,000 accounts…");
    proxy.reset();
    proxy.sso.addAccounts(ACCOUNTS);
    const cache = join(sandbox.home, ".aws", "sso", "cache");
    mkdirSync(cache, { recursive: true });
    writeFileSync(
      join(cache, `${createHash("sha1").update("org").digest("hex")}.json`),
      proxy.sso.tokenCacheJson(proxy.sso.mintToken()),
      { mode: 0o600 },
    );
    sandbox.writeConfig(
      `[sso-session org]\nsso_start_url = ${proxy.sso.startUrl}\nsso_region = ${proxy.sso.region}\n`,
    );
    const populateStarted = Date.now();
    const populate = await sandbox.run(["sso", "populate", "--sso-session", "org", "--json"], {
      timeoutMs: 600_000,
    });
    const populateMs = Date.now() - populateStarted;
    const added = (JSON.parse(populate.stdout) as { added: unknown[] }).added.length;
    const populateCalls = proxy.calls.length;

    return [
      "## Organization-sized jobs",
      "",
      "Whole processes through the test proxy (which counts the calls); 8 roles or accounts read at a time.",
      "",
      "| job | wall ms | AWS calls | result |",
      "| --- | ---: | ---: | --- |",
      `| \`audit\` over ${ROLES} roles | ${auditMs} | ${auditCalls} | exit ${audit.code}, ${findings} findings |`,
      `| \`sso populate\` over ${ACCOUNTS} accounts | ${populateMs} | ${populateCalls} | exit ${populate.code}, ${added} profiles in one edit |`,
    ].join("\n");
  } finally {
    sandbox.cleanup();
    await proxy.close();
    await moto.stop();
  }
}

if (process.argv[1]?.endsWith("org.ts"))
  process.stdout.write(`${await orgReport((l) => process.stdout.write(`${l}\n`))}\n`);
