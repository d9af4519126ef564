import { lstatSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { editConfigFile, upsertSection } from "../../src/config/edit.js";
import { sharedConfigFrom } from "../../src/config/files.js";
import { parseIni } from "../../src/config/ini.js";

const FILE = `# top comment
[default]
region = eu-west-1
s3 =
  max_concurrent_requests = 20

; profiles
[profile a]
role_arn = arn:aws:iam::111111111111:role/A   
source_profile = k
`;

describe("upsertSection", () => {
  it("appends a new section after one blank line and changes nothing else", () => {
    const r = upsertSection(FILE, "c", { section: "profile b", values: { region: "us-east-1" } });
    expect(r.changed).toBe(true);
    expect(r.previous).toBeUndefined();
    expect(r.text).toBe(`${FILE}\n[profile b]\nregion = us-east-1\n`);
  });

  it("replaces a key in place, adds missing keys after the section's last setting, keeps comments and spacing", () => {
    const r = upsertSection(FILE, "c", {
      section: "profile a",
      values: { source_profile: "other", mfa_serial: "arn:aws:iam::222222222222:mfa/u" },
    });
    expect(r.previous).toEqual({ role_arn: "arn:aws:iam::111111111111:role/A", source_profile: "k" });
    expect(r.text).toBe(
      FILE.replace(
        "source_profile = k\n",
        "source_profile = other\nmfa_serial = arn:aws:iam::222222222222:mfa/u\n",
      ),
    );
  });

  it("removes keys with their nested lines, and nothing of the next section", () => {
    const text =
      "[profile a]\nrole_arn = arn:x\ns3 =\n  max_concurrent_requests = 20\nregion = eu-west-1\n\n[profile b]\nrole_arn = arn:y\n";
    const r = upsertSection(text, "config", {
      section: "profile a",
      values: { credential_process: "cp" },
      remove: ["role_arn", "s3", "missing"],
    });
    expect(r.text).toBe(
      "[profile a]\nregion = eu-west-1\ncredential_process = cp\n\n[profile b]\nrole_arn = arn:y\n",
    );
    expect(r.changed).toBe(true);
  });

  it("finds a profile by any header that names it, the last one, and adds no second section", () => {
    const text = '[profile "a"]\nregion = x\n';
    const r = upsertSection(text, "config", { section: "profile a", profile: "a", values: { region: "y" } });
    expect(r.text).toBe('[profile "a"]\nregion = y\n');
  });

  it("keeps each line's own ending in a mixed-ending file", () => {
    const text = "[a]\r\nx = 1\n[b]\ny = 2\r\n";
    expect(upsertSection(text, "config", { section: "a", values: { x: "9" } }).text).toBe(
      "[a]\r\nx = 9\n[b]\ny = 2\r\n",
    );
  });

  it("keeps trailing blank lines when it appends a section", () => {
    const r = upsertSection("[a]\nx = 1\n\n\n", "config", { section: "b", values: { y: "1" } });
    expect(r.text).toBe("[a]\nx = 1\n\n\n[b]\ny = 1\n");
  });

  it("takes a replaced key's continuation lines with it", () => {
    const text = "[a]\nrole_arn = x\n  still x\n# about region\nregion = r\n";
    expect(upsertSection(text, "config", { section: "a", values: { role_arn: "z" } }).text).toBe(
      "[a]\nrole_arn = z\n# about region\nregion = r\n",
    );
  });

  it("writes through a symlinked file, leaving the link a link", async () => {
    const dir = mkdtempSync(join(tmpdir(), "rolectl-edit-"));
    const real = join(dir, "dotfiles-config");
    const link = join(dir, "config");
    writeFileSync(real, "[a]\nx = 1\n");
    symlinkSync(real, link);
    await editConfigFile(link, (t) => upsertSection(t, link, { section: "a", values: { x: "2" } }).text, {
      mode: 0o600,
    });
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(readFileSync(real, "utf8")).toBe("[a]\nx = 2\n");
    rmSync(dir, { recursive: true, force: true });
  });

  it("keeps a section's indentation for replaced and added keys (botocore reads them as keys)", () => {
    const text = "[profile a]\n  role_arn = x\n  source_profile = b\n";
    const r = upsertSection(text, "config", { section: "profile a", values: { role_arn: "y", region: "r" } });
    expect(r.text).toBe("[profile a]\n  role_arn = y\n  source_profile = b\n  region = r\n");
    const back = sharedConfigFrom({ config: "c", credentials: "k" }, parseIni(r.text, "c")).config.get("a");
    expect(back).toEqual({ role_arn: "y", source_profile: "b", region: "r" });
  });

  it("reports no change when every value is already there", () => {
    const r = upsertSection(FILE, "c", { section: "default", values: { region: "eu-west-1" } });
    expect(r.changed).toBe(false);
    expect(r.text).toBe(FILE);
  });

  it("adds to a section with nested settings after them", () => {
    const r = upsertSection(FILE, "c", { section: "default", values: { output: "json" } });
    expect(r.text).toContain("s3 =\n  max_concurrent_requests = 20\noutput = json\n\n; profiles");
  });

  it("keeps CRLF line ends and a BOM", () => {
    const crlf = `\uFEFF${FILE.replace(/\n/g, "\r\n")}`;
    const r = upsertSection(crlf, "c", { section: "profile b", values: { region: "us-east-1" } });
    expect(r.text.startsWith("\uFEFF# top comment\r\n")).toBe(true);
    expect(r.text.endsWith("\r\n\r\n[profile b]\r\nregion = us-east-1\r\n")).toBe(true);
    expect(r.text.replace(/\r\n/g, "")).not.toContain("\n");
  });

  it("writes into an empty file without leading blank lines", () => {
    expect(upsertSection("", "c", { section: "k", values: { aws_access_key_id: "A" } }).text).toBe(
      "[k]\naws_access_key_id = A\n",
    );
  });

  it("refuses to edit a file it cannot parse (exit 3, file and line)", () => {
    expect(() => upsertSection("[x\n", "/h/.aws/config", { section: "y", values: {} })).toThrow(
      "/h/.aws/config:1: malformed section header",
    );
  });
});
