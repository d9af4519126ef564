import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { sharedConfigFrom } from "../../src/config/files.js";
import { parseIni } from "../../src/config/ini.js";

// A differential test: each config file is read by botocore (the AWS CLI's reader) and by
// rolectl, and the profiles they see must be the same, or both must refuse the file.

const CASES: [string, string][] = [
  ["plain profiles", "[default]\nregion = eu-west-1\n[profile a]\nrole_arn = arn:aws:iam::1:role/A\n"],
  [
    "keys indented under the header",
    "[profile a]\n  role_arn = arn:aws:iam::1:role/A\n  source_profile = b\n",
  ],
  ["a deeper line continues the key above", "[profile a]\nrole_arn = first\n   second\nregion = x\n"],
  ["nested settings", "[profile a]\ns3 =\n  max_concurrent_requests = 20\nregion = eu-west-1\n"],
  ["double-quoted profile name", '[profile "a"]\nregion = eu-west-1\n'],
  ["single-quoted profile name with a space", "[profile 'my team']\nregion = eu-west-1\n"],
  ["spaces inside the brackets: not a profile", "[ profile a ]\nregion = eu-west-1\n"],
  ["two spaces after profile", "[profile  a]\nregion = eu-west-1\n"],
  [
    "[default] then [profile default]: the later wins whole",
    "[default]\nregion = a\nmfa_serial = m\n[profile default]\nregion = b\n",
  ],
  [
    "[profile default] then [default]",
    "[profile default]\nregion = b\nmfa_serial = m\n[default]\nregion = a\n",
  ],
  ["an empty value is kept", "[profile a]\nexternal_id =\nregion = eu-west-1\n"],
  ["comments and an inline #", "# top\n[profile a]\n; note\nregion = eu-west-1 # not a comment\n"],
  ["upper-case keys", "[profile a]\nROLE_ARN = arn:aws:iam::1:role/A\n"],
  ["colon as separator, = in a value", "[profile a]\nregion: eu-west-1\nexternal_id = a=b\n"],
  ["CRLF line ends", "[profile a]\r\nregion = eu-west-1\r\n"],
  [
    "other kinds of section",
    "[sso-session corp]\nsso_region = us-east-1\n[services s]\nsts =\n  endpoint_url = http://x\n",
  ],
  ["a tab-indented continuation", "[profile a]\nrole_arn = x\n\ty\n"],
  ["blank lines inside a continued value", "[profile a]\nrole_arn = x\n  y\n\n  \n  z\n\nregion = r\n"],
  ["a comment line inside a continued value", "[profile a]\nrole_arn = x\n# c\n  y\n"],
  ["an indented header", "[profile a]\nregion = x\n  [profile b]\nregion = y\n"],
  [
    "[DEFAULT] lends its keys to every profile",
    "[DEFAULT]\nregion = eu-west-1\n[profile a]\nrole_arn = r\n[profile b]\nregion = us-west-2\n",
  ],
  ["duplicate section", "[profile a]\nregion = x\n[profile a]\nregion = y\n"],
  ["duplicate key", "[profile a]\nregion = x\nregion = y\n"],
  ["a key before any header", "region = x\n[profile a]\n"],
  ["unbalanced quote in a header", '[profile "a]\nregion = x\n'],
];

const dir = mkdtempSync(join(tmpdir(), "rolectl-botocore-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function botocoreReads(): Record<string, unknown>[] {
  const paths = CASES.map(([, text], i) => {
    const path = join(dir, `config-${i}`);
    writeFileSync(path, text);
    return path;
  });
  const r = spawnSync("python3", [join(import.meta.dirname, "../support/botocore_profiles.py"), ...paths], {
    encoding: "utf8",
  });
  if (r.status !== 0)
    throw new Error(`botocore (installed with the AWS CLI) is needed for this test: ${r.stderr || r.error}`);
  return r.stdout
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l));
}

function rolectlReads(text: string): Record<string, unknown> {
  try {
    const shared = sharedConfigFrom(
      { config: "config", credentials: "credentials" },
      parseIni(text, "config"),
    );
    return { profiles: Object.fromEntries(shared.config) };
  } catch {
    return { error: "refused" };
  }
}

describe("rolectl reads config files as botocore does", () => {
  const expected = botocoreReads();
  it.each(CASES.map(([name, text], i) => [name, text, i] as const))("%s", (_name, text, i) => {
    const boto = expected[i] as { profiles?: unknown; error?: string };
    const ours = rolectlReads(text);
    if (boto.error) expect(ours).toEqual({ error: "refused" });
    else expect(ours).toEqual({ profiles: boto.profiles });
  });
});
