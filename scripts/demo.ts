// `npm run demo`: starts a real moto_server (and the test proxy, which plays Amplify), runs
// rolectl against it the way a user would, prints each command and what it printed, then stops.
import { createSandbox } from "../test/support/cli.js";
import { startMoto } from "../test/support/moto.js";
import { TestProxy } from "../test/support/proxy.js";

const moto = await startMoto();
const proxy = await TestProxy.start(moto.url);
const sandbox = createSandbox({ endpoint: proxy.url });
let failed = false;

async function step(title: string, args: string[], expectCode = 0): Promise<string> {
  process.stdout.write(`\n\u001b[1m# ${title}\u001b[0m\n$ rolectl ${args.join(" ")}\n`);
  const r = await sandbox.run(args);
  process.stdout.write(r.stdout);
  if (r.stderr) process.stdout.write(`${r.stderr.trimEnd().replace(/^/gm, "  (stderr) ")}\n`);
  if (r.code !== expectCode) {
    failed = true;
    process.stdout.write(`!! exit ${r.code}, expected ${expectCode}\n`);
  }
  return r.stdout;
}

try {
  process.stdout.write(`moto_server on ${moto.url}, rolectl talks to it through ${proxy.url}\n`);
  await step("Who am I? (STS GetCallerIdentity)", ["whoami"]);
  await step("The same, for scripts", ["whoami", "--json"]);
  await step(
    "A profile that does not exist is a configuration error (exit 3)",
    ["whoami", "--profile", "nope"],
    3,
  );
  process.stdout.write(
    `\nAWS calls made: ${proxy.calls.map((c) => `${c.service}:${c.action}`).join(", ")}\n`,
  );
} finally {
  sandbox.cleanup();
  await proxy.close();
  await moto.stop();
}
process.stdout.write(failed ? "\ndemo: FAILED\n" : "\ndemo: ok\n");
process.exit(failed ? 1 : 0);
