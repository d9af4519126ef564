import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { BIN, ROOT, runProgram } from "../support/cli.js";
import { useE2eEnv } from "../support/env.js";
import { runInProcess } from "../support/in-process.js";
import { loadedModules } from "../support/loads.js";

const env = useE2eEnv();
const ESC = "\u001b[";

describe("the CLI frame", () => {
  it("prints help with examples and exit codes", async () => {
    const r = await env.sandbox.run(["--help"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("Usage: rolectl");
    expect(r.stdout).toContain("Examples:");
    expect(r.stdout).toMatch(/Exit status:\n {2}0 ok, 1 internal error, 2 usage/);
    const sub = await env.sandbox.run(["whoami", "--help"]);
    expect(sub.stdout).toContain("$ rolectl whoami");
    expect(sub.stdout).toContain("--profile <name>");
  });

  it.each([
    "whoami",
    "assume",
    "exec",
    "credential-process",
    "cache",
    "cache list",
    "cache clear",
    "amplify-service-role",
    "amplify-compute-role",
    "policy",
    "policy amplify-cli",
    "role",
    "role create",
    "role show",
    "role delete",
    "cross-account",
    "cross-account setup",
    "cross-account trust-role",
    "cross-account grant-user",
    "cross-account write-profile",
    "slr",
    "slr create",
    "slr list",
    "slr describe",
    "slr update-description",
    "slr delete",
  ])("`%s --help` has examples, fits 80 columns, and shows no alias or internal word", async (command) => {
    const r = await runInProcess(env.sandbox, [...command.split(" "), "--help"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Examples:\n {2}\$ .*rolectl /);
    // Examples are single copy-pasteable lines (or continued with a backslash); prose wraps at 80.
    const prose = r.stdout.split("\n").filter((l) => !/^ {2}\$ |^ {6}--/.test(l));
    expect(prose.filter((l) => l.length > 80)).toEqual([]);
    expect(r.stdout).not.toMatch(/…|seed 00\d|--trusted-account|--policy-arn|--duration-seconds/);
    // Descriptions joined from several strings keep their spaces (test/unit/help-text.test.ts).
    const description = r.stdout.split("\n\n")[1] ?? "";
    expect(description.replace(/\s+/g, " ")).not.toMatch(/,[A-Za-z]|[a-z]\(/);
  });

  it("the other spelling of a shared option is accepted: --trusted-account, --policy-arn, --duration-seconds", async () => {
    const dry = (durationFlag: string) =>
      runInProcess(env.sandbox, [
        ...["cross-account", "write-profile", "--role-arn", "arn:aws:iam::111111111111:role/R"],
        ...["--source-profile", "dev", durationFlag, "1800", "--dry-run", "--json", "--no-input"],
      ]);
    const spelled = await dry("--duration-seconds");
    const canonical = await dry("--duration");
    expect(spelled.code, spelled.stderr).toBe(0);
    expect(spelled.stdout).toBe(canonical.stdout);
    expect(spelled.stdout).toContain(`"duration_seconds": "1800"`);
  });

  it.each([
    [["help"], ["--help"]],
    [
      ["help", "role"],
      ["role", "--help"],
    ],
    [
      ["help", "role", "create"],
      ["role", "create", "--help"],
    ],
  ])("`rolectl %s` prints the same help as --help", async (help, flag) => {
    const a = await runInProcess(env.sandbox, help);
    const b = await runInProcess(env.sandbox, flag);
    expect(a.code).toBe(0);
    expect(a.stdout).toBe(b.stdout);
    expect(a.stdout).toContain(`Usage: rolectl ${flag.slice(0, -1).join(" ")}`.trimEnd());
  });

  it("completion: bash completes commands, aliases, options and profile names", async () => {
    const mark = join(env.sandbox.dir, "completion-ran-a-command");
    env.sandbox.writeConfig(
      `[default]\nregion = eu-west-1\n[profile bizcorprole]\nrole_arn = x\n[profile $(touch ${mark})]\n`,
    );
    const rolectl = `"${process.execPath}" "${BIN}"`;
    const bash = await runProgram(
      "bash",
      [
        "-c",
        `eval "$(${rolectl} completion bash)"
t() { COMP_WORDS=("$@"); COMP_CWORD=$((\${#COMP_WORDS[@]}-1)); _rolectl; echo "\${COMPREPLY[*]}"; }
t rolectl ro; t rolectl role c; t rolectl slr cr; t rolectl assume --profile ""; t rolectl role create --trust-a`,
      ],
      env.sandbox.env,
    );
    expect(bash.stdout.split("\n").slice(0, 5)).toEqual([
      "role",
      "create",
      "create",
      `$(touch ${mark}) bizcorprole default`, // a hostile header is offered as text, never run
      "--trust-account",
    ]);
    expect(existsSync(mark)).toBe(false);
    const bad = await runInProcess(env.sandbox, ["completion", "tcsh"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('Invalid shell "tcsh": must be one of bash, zsh, fish.');
  });

  it.skipIf(spawnSync("fish", ["--version"]).status !== 0)("completion: fish", async () => {
    env.sandbox.writeConfig("[profile bizcorprole]\nrole_arn = x\n");
    const fish = await runProgram(
      "fish",
      [
        "-c",
        `"${process.execPath}" "${BIN}" completion fish | source; complete -C 'rolectl role cr'; complete -C 'rolectl exec --profile biz'`,
      ],
      env.sandbox.env,
    );
    expect(fish.stdout).toBe("create\nbizcorprole\n");
  });

  it("prints the package version", async () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8"));
    const r = await env.sandbox.run(["--version"]);
    expect(r).toMatchObject({ code: 0, stdout: `${pkg.version}\n`, stderr: "" });
  });

  it("whoami --json answers from moto and the proxy records the call", async () => {
    const r = await env.sandbox.run(["whoami", "--json"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({
      account: "123456789012",
      arn: expect.stringMatching(/^arn:aws:(sts|iam)::123456789012:/),
      userId: expect.any(String),
    });
    expect(env.proxy.calls.map((c) => `${c.service}:${c.action}`)).toEqual(["sts:GetCallerIdentity"]);
  });

  it("sends a rolectl user agent and honours --endpoint-url over AWS_ENDPOINT_URL", async () => {
    const r = await env.sandbox.run(["whoami", "--endpoint-url", env.proxy.url], {
      env: { AWS_ENDPOINT_URL: "http://127.0.0.1:9" },
    });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/account\s+123456789012/);
    const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8"));
    expect(env.proxy.calls[0]?.userAgent).toContain(`rolectl/${pkg.version}`);
  });

  it("retries a throttled call and succeeds", async () => {
    env.proxy.inject("GetCallerIdentity", { kind: "throttle" }, 2);
    const r = await env.sandbox.run(["whoami", "--json"]);
    expect(r.code).toBe(0);
    expect(env.proxy.callsOf("GetCallerIdentity").map((c) => c.answeredBy)).toEqual([
      "throttle",
      "throttle",
      "moto",
    ]);
  });

  it("gives up on endless throttling with exit 1 and a hint", async () => {
    env.proxy.inject("GetCallerIdentity", { kind: "throttle" });
    const r = await env.sandbox.run(["whoami"], { env: { AWS_MAX_ATTEMPTS: "2" } });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("error: sts:GetCallerIdentity: Rate exceeded");
    expect(r.stderr).toContain("hint: AWS kept throttling");
    expect(env.proxy.callsOf("GetCallerIdentity")).toHaveLength(2);
  });

  it("maps AccessDenied to exit 4 and ExpiredToken to exit 4", async () => {
    env.proxy.inject("GetCallerIdentity", { kind: "accessDenied" }, 1);
    expect((await env.sandbox.run(["whoami"])).code).toBe(4);
    env.proxy.inject("GetCallerIdentity", { kind: "expiredToken" }, 1);
    const r = await env.sandbox.run(["whoami", "--json"]);
    expect(r.code).toBe(4);
    expect(JSON.parse(r.stderr).error.code).toBe("expired_token");
  });

  it("under --no-input a missing required value is exit 2 naming the flag, never a prompt", async () => {
    const r = await env.sandbox.run(["slr", "create", "--no-input"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("Missing required value --service");
    expect(r.stderr).toContain("non-interactively (--no-input was given); pass --service");
    const viaEnv = await env.sandbox.run(["role", "create", "x"], { env: { ROLECTL_NO_INPUT: "1" } });
    expect(viaEnv.code).toBe(2);
    expect(viaEnv.stderr).toContain("ROLECTL_NO_INPUT is set");
    expect(env.proxy.calls).toHaveLength(0);
  });

  it("exits 3 for an unknown profile, before any AWS call", async () => {
    env.sandbox.writeConfig("[profile dev]\nregion = eu-west-1\n");
    const r = await env.sandbox.run(["whoami", "--profile", "nope"]);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('Profile "nope" is not in');
    expect(r.stderr).toContain("Known profiles: default, dev");
    const viaEnv = await env.sandbox.run(["whoami"], { env: { AWS_PROFILE: "nope" } });
    expect(viaEnv.code).toBe(3);
    expect(env.proxy.calls).toHaveLength(0);
  });

  it("exits 3 naming file and line for a malformed config file", async () => {
    env.sandbox.writeConfig("[default]\nregion = eu-west-1\nthis is not ini\n");
    const r = await env.sandbox.run(["whoami"]);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain(`${env.sandbox.configPath}:3: expected "key = value"`);
    expect(env.proxy.calls).toHaveLength(0);
  });

  it("prints errors as one JSON document on stderr with --json", async () => {
    const r = await env.sandbox.run(["whoami", "--profile", "nope", "--json"]);
    expect(r.code).toBe(3);
    expect(r.stdout).toBe("");
    expect(JSON.parse(r.stderr)).toEqual({
      error: {
        code: "profile_not_found",
        message: expect.stringContaining("nope"),
        hint: expect.any(String),
        details: null,
      },
    });
  });

  it("exits 2 for an unknown option or command, as JSON too", async () => {
    const r = await env.sandbox.run(["whoami", "--bogus"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("unknown option '--bogus'");
    const j = await env.sandbox.run(["whomai", "--json"]);
    expect(j.code).toBe(2);
    expect(JSON.parse(j.stderr).error).toMatchObject({
      code: "usage",
      message: expect.stringContaining("whoami"),
    });
  });

  it("uses no colour when stderr is not a TTY, or with NO_COLOR", async () => {
    const plain = await env.sandbox.run(["whoami", "--profile", "nope"]);
    expect(plain.stderr).toContain("error:");
    expect(plain.stderr).not.toContain(ESC);
    // through a pseudo-terminal (util-linux `script`) colour appears, and NO_COLOR removes it
    const viaTty = (extra: string) =>
      spawnSync(
        "script",
        [
          "-qec",
          `${extra} ${process.execPath} ${join(ROOT, "bin/rolectl.js")} whoami --profile nope`,
          "/dev/null",
        ],
        {
          env: { ...env.sandbox.env, TERM: "xterm" },
          encoding: "utf8",
        },
      );
    const tty = viaTty("");
    expect(tty.error, "util-linux `script` is needed for the pseudo-terminal half").toBeUndefined();
    expect(tty.stdout).toContain(`${ESC}31merror:`);
    expect(viaTty("NO_COLOR=1").stdout).not.toContain(ESC);
  });

  it("exits 130 on SIGINT while waiting for AWS", async () => {
    env.proxy.inject("GetCallerIdentity", { kind: "delay", ms: 20_000 });
    const r = await env.sandbox.run(["whoami"], {
      onSpawn: (child) => {
        const poll = setInterval(() => {
          if (env.proxy.callsOf("GetCallerIdentity").length > 0) {
            clearInterval(poll);
            child.kill("SIGINT");
          }
        }, 50);
      },
    });
    expect(r.code).toBe(130);
    expect(r.stderr).toContain("Interrupted.");
  });
});

describe("start-up cost", () => {
  it("--version loads nothing but the bin shim and package.json (no commander, SDK, inquirer or chalk)", async () => {
    const log = join(env.sandbox.dir, "loads.log");
    const { result, files } = await loadedModules(["--version"], env.sandbox.env, log);
    expect(result.code).toBe(0);
    expect(files).toEqual([]);
    const loaded = readFileSync(log, "utf8")
      .split("\n")
      .filter((l) => l.startsWith("file://") && !l.includes("/test/support/"));
    expect(loaded.map((l) => l.slice(`file://${ROOT}/`.length)).sort()).toEqual([
      "bin/rolectl.js",
      "package.json",
    ]);
  });

  it("whoami loads the SDK (so the check above can fail) but not inquirer", async () => {
    const { inputs } = await loadedModules(["whoami"], env.sandbox.env, join(env.sandbox.dir, "loads.log"));
    expect(inputs.some((i) => i.includes("node_modules/@aws-sdk/client-sts/"))).toBe(true);
    expect(inputs.some((i) => /node_modules\/(inquirer|@inquirer)\//.test(i))).toBe(false);
  });
});
