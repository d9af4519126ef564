// `npm run bench`: times whole processes (warm-up discarded, min and median of many runs) and
// reports ratios measured in the same run: against `node -e 0` (the floor) and against the AWS
// CLI doing the same job. Writes bench/RESULTS.md. Reports targets; never fails CI.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { createTrustingRole, credentialsSection, DEFAULT_KEYS, keysFor } from "../test/support/accounts.js";
import { BIN, createSandbox, ROOT } from "../test/support/cli.js";
import { startMoto } from "../test/support/moto.js";
import { type Measured, measure } from "./measure.js";
import { orgReport } from "./org.js";
import { scaleReport } from "./scale.js";

const haveAws = spawnSync("aws", ["--version"]).status === 0;
process.stdout.write("bench: starting moto_server…\n");
const moto = await startMoto({ managedPolicies: "none" });
const sandbox = createSandbox({ endpoint: moto.url });
const results: Measured[] = [];
let rssKb = 0;
try {
  const target = await keysFor(moto.url, "111111111111");
  await createTrustingRole(moto.url, target, { name: "BenchRole", trustedAccount: "123456789012" });
  sandbox.writeConfig(
    "[profile bench]\nrole_arn = arn:aws:iam::111111111111:role/BenchRole\nsource_profile = benchuser\nregion = us-east-1\n",
  );
  sandbox.writeCredentials(credentialsSection("benchuser", DEFAULT_KEYS));
  const env = { ...sandbox.env, AWS_DEFAULT_REGION: "us-east-1" };
  const node = process.execPath;
  const rolectl = (...args: string[]) => [node, BIN, ...args];
  // Fill the cache once.
  spawnSync(node, [BIN, "credential-process", "--profile", "bench"], { env });

  const coldDir = mkdtempSync(join(tmpdir(), "rolectl-bench-cold-"));
  results.push(
    ...measure(
      [
        { name: "node -e 0", cmd: [node, "-e", "0"], env },
        { name: "rolectl --version", cmd: rolectl("--version"), env },
        {
          name: "rolectl credential-process (warm cache)",
          cmd: rolectl("credential-process", "--profile", "bench"),
          env,
        },
        {
          name: "rolectl assume --json (warm cache)",
          cmd: rolectl("assume", "--profile", "bench", "--json"),
          env,
        },
      ],
      60,
    ),
    ...measure([{ name: "rolectl cache list", cmd: rolectl("cache", "list"), env }], 20),
    ...measure(
      [
        {
          name: "rolectl credential-process (cold: AssumeRole via moto)",
          cmd: rolectl("credential-process", "--profile", "bench"),
          env: { ...env, ROLECTL_CACHE_DIR: coldDir },
          before: () => rmSync(coldDir, { recursive: true, force: true }),
        },
      ],
      10,
      2,
    ),
  );
  if (haveAws) {
    // The AWS CLI's own cached assume-role path (~/.aws/cli/cache), plus one local STS call.
    spawnSync("aws", ["sts", "get-caller-identity", "--profile", "bench", "--endpoint-url", moto.url], {
      env,
    });
    results.push(
      ...measure(
        [
          { name: "aws --version", cmd: ["aws", "--version"], env },
          {
            name: "aws sts get-caller-identity --profile bench (cached role)",
            cmd: ["aws", "sts", "get-caller-identity", "--profile", "bench", "--endpoint-url", moto.url],
            env,
          },
        ],
        10,
        1,
      ),
    );
  }
  const rssFile = join(sandbox.dir, "rss.txt");
  for (let i = 0; i < 5; i++) {
    spawnSync(
      node,
      ["--import", join(ROOT, "bench/rss.mjs"), BIN, "credential-process", "--profile", "bench"],
      { env: { ...env, ROLECTL_RSS_FILE: rssFile } },
    );
  }
  rssKb = Math.max(...readFileSync(rssFile, "utf8").trim().split("\n").map(Number));
} finally {
  sandbox.cleanup();
  await moto.stop();
}

const floor = results[0]?.median ?? 1;
const floorMin = results[0]?.min ?? 1;
const byName = (prefix: string) => results.find((r) => r.name.startsWith(prefix));
const warm = byName("rolectl credential-process (warm");
const version = byName("rolectl --version");
const awsCached = byName("aws sts");
const targets: [string, boolean | undefined, string][] = [
  [
    "warm credential-process <= 1.3 x node -e 0",
    warm ? warm.median / floor <= 1.3 : undefined,
    warm ? `${(warm.median / floor).toFixed(2)} x` : "-",
  ],
  ["peak RSS of warm credential-process <= 60 MB", rssKb / 1024 <= 60, `${(rssKb / 1024).toFixed(1)} MB`],
  [
    "--version <= 1.2 x node -e 0",
    version ? version.median / floor <= 1.2 : undefined,
    version ? `${(version.median / floor).toFixed(2)} x` : "-",
  ],
  [
    "warm path >= 5 x faster than the AWS CLI's cached role",
    warm && awsCached ? awsCached.median / warm.median >= 5 : undefined,
    warm && awsCached ? `${(awsCached.median / warm.median).toFixed(1)} x faster` : "AWS CLI not installed",
  ],
];

const table = [
  "| command | runs | min ms | median ms | median x node -e 0 | min x node -e 0 |",
  "| --- | ---: | ---: | ---: | ---: | ---: |",
  ...results.map(
    (r) =>
      `| ${r.name} | ${r.runs} | ${r.min.toFixed(1)} | ${r.median.toFixed(1)} | ${(r.median / floor).toFixed(2)} | ${(r.min / floorMin).toFixed(2)} |`,
  ),
].join("\n");
const targetTable = [
  "| target | measured | result |",
  "| --- | --- | --- |",
  ...targets.map(([t, ok, m]) => `| ${t} | ${m} | ${ok === undefined ? "n/a" : ok ? "pass" : "MISS"} |`),
].join("\n");
const scale = await scaleReport((line) => process.stdout.write(`${line}\n`));
const org = await orgReport((line) => process.stdout.write(`${line}\n`));
const machine = `${cpus()[0]?.model ?? "unknown CPU"} x ${cpus().length}, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}`;
const report = `# rolectl benchmark\n\nMeasured by \`npm run bench\` on ${machine}. Whole processes started with a clean environment, in interleaved rounds (every command once per round, warm-up rounds discarded); targets are judged on medians measured in the same run.\n\n${table}\n\n${targetTable}\n\n${scale}\n\n${org}\n`;
writeFileSync(join(ROOT, "bench/RESULTS.md"), report);
process.stdout.write(`\n${report}\nwritten to bench/RESULTS.md\n`);
