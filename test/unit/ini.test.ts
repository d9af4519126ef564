import { describe, expect, it } from "vitest";
import { sharedConfigFrom } from "../../src/config/files.js";
import { parseIni } from "../../src/config/ini.js";
import { RolectlError } from "../../src/shared/errors.js";

const CONFIG = `# my settings
[default]
region = us-east-1
s3 =
  max_concurrent_requests = 20
  addressing_style = path

; the role
[profile bizcorprole]
role_arn = arn:aws:iam::111111111111:role/BizCorpRole
Source_Profile = devcorpuser

[sso-session corp]
sso_region = us-east-1
`;

describe("parseIni", () => {
  it("reads sections, lower-cases keys and keeps nested settings apart", () => {
    const file = parseIni(CONFIG, "config");
    expect(file.sections.map((s) => s.name)).toEqual(["default", "profile bizcorprole", "sso-session corp"]);
    const def = file.sections[0];
    expect(def?.entries.get("s3")?.sub).toEqual({ max_concurrent_requests: "20", addressing_style: "path" });
    expect(file.sections[1]?.entries.get("source_profile")?.value).toBe("devcorpuser");
    expect(def?.lastLine).toBe(5);
  });

  it("maps config sections to profiles and ignores other kinds", () => {
    const shared = sharedConfigFrom(
      { config: "c", credentials: "k" },
      parseIni(CONFIG, "c"),
      parseIni("[devcorpuser]\naws_access_key_id = A\n", "k"),
    );
    expect([...shared.config.keys()]).toEqual(["default", "bizcorprole"]);
    expect(shared.config.get("default")).toEqual({ region: "us-east-1" });
    expect(shared.credentials.get("devcorpuser")).toEqual({ aws_access_key_id: "A" });
  });

  it("handles CRLF and a BOM", () => {
    const file = parseIni("\uFEFF[default]\r\nregion = eu-west-1\r\n", "c");
    expect(file.eol).toBe("\r\n");
    expect(file.hadBom).toBe(true);
    expect(file.sections[0]?.entries.get("region")?.value).toBe("eu-west-1");
  });

  it.each([
    ["a key before any section", "region = x\n[default]\n", /:1: a setting appears before any \[section\]/],
    ["a broken header", "[default\nregion = x\n", /:1: malformed section header/],
    [
      "a duplicate section",
      "[default]\n[default]\n",
      /:2: duplicate section \[default\] \(first at line 1\)/,
    ],
    ["a duplicate key", "[default]\nregion = a\nregion = b\n", /:3: duplicate key "region"/],
    ["a line without =", "[default]\njust words\n", /:2: expected "key = value"/],
    ["an empty header", "[]\n", /:1: malformed section header/],
  ])("rejects %s, naming file and line", (_what, text, message) => {
    let error: unknown;
    try {
      parseIni(text, "/home/u/.aws/config");
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(RolectlError);
    expect((error as RolectlError).exitCode).toBe(3);
    expect((error as Error).message).toMatch(/^\/home\/u\/\.aws\/config:/);
    expect((error as Error).message).toMatch(message);
  });
});
