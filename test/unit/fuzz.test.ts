import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { upsertSection } from "../../src/config/edit.js";
import { parseIni, sectionValues } from "../../src/config/ini.js";
import { formatCredentials, type OutputFormat } from "../../src/core/assume/format.js";
import { isRolectlError } from "../../src/shared/errors.js";

// Issue 13's fuzz test: random bytes and random printable strings (line breaks, quotes,
// backslashes, $(…), control characters) through every value the editor writes and every
// output format. The editor either refuses a value or writes a file that rolectl and botocore
// both read back as exactly the intended sections; each shell format, run by its shell, sets
// exactly the intended variables and nothing else.

const SEED = Number(process.env.FUZZ_SEED ?? 20261124);
function generator(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    // xorshift32: every bit is usable, unlike a small LCG's low bits.
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 4294967296;
  };
  const pick = <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)] as T;
  const NASTY = [
    "\n",
    "\r",
    "\r\n",
    "'",
    '"',
    "\\",
    "\\'",
    "$(",
    ")",
    "`",
    ";",
    "#",
    "[",
    "]",
    "=",
    "%",
    "$HOME",
    " ",
    "\t",
    "\u0000",
    "\u001b[31m",
    "\u007f",
    "é",
    "\u2028",
    "'\\''",
    "{",
    "}",
  ];
  return {
    /** A random printable string salted (at a random rate) with shell and INI syntax. */
    printable: (max = 24) => {
      const salt = pick([0, 0.03, 0.35]);
      return Array.from({ length: 1 + Math.floor(next() * max) }, () =>
        next() < salt ? pick(NASTY) : String.fromCharCode(33 + Math.floor(next() * 94)),
      ).join("");
    },
    /** Random bytes, as a (lossy) UTF-8 string. */
    bytes: (max = 24) =>
      Buffer.from(
        Array.from({ length: 1 + Math.floor(next() * max) }, () => Math.floor(next() * 256)),
      ).toString("utf8"),
    chance: (p: number) => next() < p,
  };
}

const CASES = 300;
const dir = mkdtempSync(join(tmpdir(), "rolectl-fuzz-"));

describe("fuzz: the config editor", () => {
  const KEYS = [
    "region",
    "role_arn",
    "source_profile",
    "role_session_name",
    "external_id",
    "mfa_serial",
    "credential_process",
  ];
  const BASE =
    "[default]\nregion = us-east-1\n\n[profile other]\nrole_arn = arn:aws:iam::111111111111:role/x\n";

  it(`${CASES} random values: each refused, or read back exactly, by rolectl and by botocore`, () => {
    const g = generator(SEED);
    const written: { path: string; values: Record<string, string> }[] = [];
    let refused = 0;
    for (let i = 0; i < CASES; i++) {
      const values = Object.fromEntries(
        KEYS.filter(() => g.chance(0.5)).map((k) => [k, g.chance(0.3) ? g.bytes() : g.printable()]),
      );
      values.region ??= "eu-west-1";
      let text: string;
      try {
        text = upsertSection(BASE, "config", { section: "profile fuzz", profile: "fuzz", values }).text;
      } catch (err) {
        expect(isRolectlError(err) && err.code, String(err)).toBe("invalid_value");
        refused++;
        continue;
      }
      const file = parseIni(text, "config");
      expect(file.sections.map((s) => s.name)).toEqual(["default", "profile other", "profile fuzz"]);
      const section = file.sections[2];
      expect(section && sectionValues(section)).toEqual(values);
      const path = join(dir, `config-${i}`);
      writeFileSync(path, text);
      written.push({ path, values });
    }
    expect(refused).toBeGreaterThan(CASES / 10); // line breaks and control characters were tried
    expect(written.length).toBeGreaterThan(CASES / 10); // and so were values that are fine
    const botocore = execFileSync("python3", [
      "test/support/botocore_profiles.py",
      ...written.map((w) => w.path),
    ])
      .toString()
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as { profiles?: Record<string, Record<string, string>> });
    for (const [i, w] of written.entries()) {
      expect(Object.keys(botocore[i]?.profiles ?? {}), w.path).toEqual(["default", "other", "fuzz"]);
      expect(botocore[i]?.profiles?.fuzz, w.path).toEqual(w.values);
    }
  });
});

describe("fuzz: credentials printed for a shell", () => {
  const g = generator(SEED + 1);
  const cases = Array.from({ length: CASES }, () => ({
    credentials: {
      AccessKeyId: g.chance(0.8) ? "ASIAEXAMPLEKEY123456" : g.printable(),
      SecretAccessKey: g.chance(0.2) ? g.bytes(40) : g.printable(40),
      SessionToken: g.chance(0.2) ? g.bytes(80) : g.printable(80),
      Expiration: "2030-01-01T00:00:00Z",
    },
    ...(g.chance(0.5) ? { region: "us-west-2" } : {}),
  }));
  const formatted = (format: OutputFormat) =>
    cases.flatMap((h, i) => {
      try {
        return [{ i, text: formatCredentials(h, format) }];
      } catch (err) {
        expect(isRolectlError(err) && err.code).toBe("aws_error");
        return [];
      }
    });
  const intended = (i: number) => {
    const h = cases[i] as (typeof cases)[number];
    const c = h.credentials;
    return {
      AWS_ACCESS_KEY_ID: c.AccessKeyId,
      AWS_SECRET_ACCESS_KEY: c.SecretAccessKey,
      AWS_SESSION_TOKEN: c.SessionToken,
      AWS_CREDENTIAL_EXPIRATION: c.Expiration,
      ...(h.region ? { AWS_REGION: h.region, AWS_DEFAULT_REGION: h.region } : {}),
    };
  };
  /** Runs every case in one shell; each prints its environment, NUL-separated, after a marker. */
  const evaluate = (shell: string, script: string, files: { i: number; text: string }[]) => {
    for (const f of files) writeFileSync(join(dir, `${shell}-${f.i}`), f.text);
    // bash takes the first argument after the script as $0; fish has no $0.
    const args = [...(shell === "bash" ? ["fuzz"] : []), ...files.map((f) => join(dir, `${shell}-${f.i}`))];
    const out = spawnSync(shell, ["-c", script, ...args], {
      env: { PATH: process.env.PATH, HOME: dir, AWS_PROFILE: "shadow", FUZZ_CANARY: "kept" },
      encoding: "utf8",
      maxBuffer: 64 * 1024 * 1024,
    });
    expect(out.status, out.stderr).toBe(0);
    return out.stdout
      .split("\u0001CASE\u0001")
      .slice(1)
      .map((block) =>
        Object.fromEntries(
          block
            .split("\u0000")
            .filter((kv) => kv.includes("="))
            .map((kv) => [kv.slice(0, kv.indexOf("=")), kv.slice(kv.indexOf("=") + 1)]),
        ),
      );
  };
  const check = (envs: Record<string, string>[], files: { i: number }[]) => {
    expect(envs).toHaveLength(files.length);
    for (const [n, f] of files.entries()) {
      const env = envs[n] as Record<string, string>;
      const aws = Object.fromEntries(Object.entries(env).filter(([k]) => k.startsWith("AWS_")));
      expect(aws, `case ${f.i}`).toEqual(intended(f.i));
      expect(env.FUZZ_CANARY).toBe("kept");
      expect(existsPwned()).toBe(false);
    }
  };
  const existsPwned = () => spawnSync("test", ["-e", join(dir, "pwned")]).status === 0;

  it("the formats refuse values AWS would never issue, and print the rest", () => {
    for (const format of ["export", "env", "fish", "powershell", "json", "credential-process"] as const) {
      const n = formatted(format).length;
      expect(n).toBeGreaterThan(CASES / 10);
      expect(n).toBeLessThan(CASES);
    }
  });

  it("export, run by bash: exactly the intended variables, each in a fresh subshell", () => {
    const files = formatted("export");
    // Each case in a subshell: eval the output, then print the environment.
    const script = `for f in "$@"; do ( eval "$(cat "$f")"; printf '\\001CASE\\001'; env -0 ); done`;
    check(evaluate("bash", script, files), files);
  });

  it.skipIf(spawnSync("fish", ["--version"]).status !== 0)(
    "fish, run by fish: exactly the intended variables",
    () => {
      const files = formatted("fish");
      const script = `for f in $argv; fish -c "source $f; printf '\\\\001CASE\\\\001'; env -0"; end`;
      check(evaluate("fish", script, files), files);
    },
  );

  it("env (KEY=value lines): each line one variable, exactly the intended ones", () => {
    for (const { i, text } of formatted("env")) {
      const lines = text.trimEnd().split("\n");
      const env = Object.fromEntries(
        lines.map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]),
      );
      expect(env).toEqual(intended(i));
    }
  });

  it("json and credential-process: the values round-trip", () => {
    for (const { i, text } of formatted("credential-process")) {
      const doc = JSON.parse(text) as Record<string, string>;
      expect(doc.SessionToken).toBe(cases[i]?.credentials.SessionToken);
      expect(doc.SecretAccessKey).toBe(cases[i]?.credentials.SecretAccessKey);
    }
    for (const { i, text } of formatted("json"))
      expect((JSON.parse(text) as { SessionToken: string }).SessionToken).toBe(
        cases[i]?.credentials.SessionToken,
      );
  });
});
