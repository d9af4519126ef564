import { describe, expect, it } from "vitest";
import { editProfiles } from "../../src/config/edit.js";
import { sharedConfigFrom } from "../../src/config/files.js";
import { parseIni } from "../../src/config/ini.js";
import { checkNameTemplate, planPopulate, profileNameFor } from "../../src/core/sso/populate.js";

// `sso populate`'s planning (names, clashes, what is the user's) and its one-pass edit of the
// config (CRLF, BOM, comments and quoted headers survive).

const config = (text: string) =>
  sharedConfigFrom({ config: "config", credentials: "credentials" }, parseIni(text, "config")).config;
const acct = (accountId: string, accountName: string) => ({ accountId, accountName });
const plan = (
  text: string,
  reachable: { account: { accountId: string; accountName: string }; roles: string[] }[],
) =>
  planPopulate({
    session: "work",
    region: "eu-west-1",
    template: "{account_name}-{role_name}",
    reachable,
    existing: config(text),
  });

describe("planPopulate", () => {
  it("names profiles by the template, sanitised; a clash gets the account id, within 64 characters", () => {
    expect(
      profileNameFor("{account_name}-{role_name}", "work", acct("111111111111", "Prod (EU) / core"), "Admin"),
    ).toBe("Prod-EU-core-Admin");
    const long = "x".repeat(60);
    const p = plan("", [
      { account: acct("111111111111", long), roles: ["Admin"] },
      { account: acct("222222222222", long), roles: ["Admin"] },
      { account: acct("333333333333", long), roles: ["Admin"] },
    ]);
    const names = p.add.map((a) => a.profile);
    expect(new Set(names).size).toBe(3);
    expect(names.every((n) => n.length <= 64)).toBe(true);
    expect(names[1]).toMatch(/-222222222222$/);
    expect(names[2]).toMatch(/-333333333333$/);
  });

  it("a populated profile keeps its name when a clashing account appears later", () => {
    const before = plan("", [{ account: acct("222222222222", "Prod"), roles: ["Admin"] }]);
    expect(before.add.map((a) => a.profile)).toEqual(["Prod-Admin"]);
    const written = `[profile Prod-Admin]\nsso_session = work\nsso_account_id = 222222222222\nsso_role_name = Admin\nregion = eu-west-1\nrolectl_populated = work\n`;
    const after = plan(written, [
      { account: acct("111111111111", "Prod"), roles: ["Admin"] }, // a lower id, the same name
      { account: acct("222222222222", "Prod"), roles: ["Admin"] },
    ]);
    expect(after.unchanged).toEqual(["Prod-Admin"]);
    expect(after.add.map((a) => [a.profile, a.values.sso_account_id])).toEqual([
      ["Prod-Admin-111111111111", "111111111111"],
    ]);
  });

  it("never touches a profile it did not populate for this session; stale ones are listed", () => {
    const text = `[profile Prod-Admin]\nregion = us-east-1\n\n[profile Old-Admin]\nsso_session = work\nsso_account_id = 999999999999\nsso_role_name = Admin\nrolectl_populated = work\n\n[profile Other-Admin]\nrolectl_populated = other\n`;
    const p = plan(text, [
      { account: acct("111111111111", "Prod"), roles: ["Admin"] },
      { account: acct("333333333333", "Other"), roles: ["Admin"] },
    ]);
    expect(p.skipped).toEqual([
      { profile: "Prod-Admin", reason: "written by hand" },
      { profile: "Other-Admin", reason: "generated for sso-session other" },
    ]);
    expect(p.stale).toEqual(["Old-Admin"]);
    expect(p.add).toEqual([]);
  });

  it("refuses a template without the account or the role", () => {
    expect(() => checkNameTemplate("{account_name}")).toThrow(/\{role_name\}/);
    expect(() => checkNameTemplate("{account_id}-{role_name}-{nope}")).toThrow(
      /\{nope\} is not a placeholder/,
    );
    expect(checkNameTemplate("{session}-{account_id}-{role_name}")).toBe(
      "{session}-{account_id}-{role_name}",
    );
  });
});

describe("editProfiles", () => {
  const values = (account: string) => ({
    sso_session: "work",
    sso_account_id: account,
    rolectl_populated: "work",
  });

  it("keeps CRLF, a BOM, comments and quoted headers; removes whole sections; appends the new ones once", () => {
    const text =
      '\uFEFF# top\r\n[default]\r\nregion = us-east-1\r\n\r\n[profile "gone"]\r\nrolectl_populated = work\r\n\r\n# keep me\r\n[profile mine]\r\nregion = eu-west-1\r\n';
    const out = editProfiles(text, "config", {
      upsert: [
        { section: "profile a", profile: "a", values: values("111111111111") },
        { section: "profile b", profile: "b", values: values("222222222222") },
      ],
      removeProfiles: ["gone"],
    });
    expect(out.changed).toBe(true);
    expect(out.text).toBe(
      "\uFEFF# top\r\n[default]\r\nregion = us-east-1\r\n\r\n# keep me\r\n[profile mine]\r\nregion = eu-west-1\r\n\r\n" +
        "[profile a]\r\nsso_session = work\r\nsso_account_id = 111111111111\r\nrolectl_populated = work\r\n\r\n" +
        "[profile b]\r\nsso_session = work\r\nsso_account_id = 222222222222\r\nrolectl_populated = work\r\n",
    );
    const again = editProfiles(out.text, "config", {
      upsert: [{ section: "profile a", profile: "a", values: values("111111111111") }],
      removeProfiles: [],
    });
    expect(again).toEqual({ text: out.text, changed: false });
  });

  it("updates an existing profile in place, header spelling and all", () => {
    const text = '[profile "a"]\nsso_account_id = 111111111111\n\n[profile z]\nregion = x\n';
    const out = editProfiles(text, "config", {
      upsert: [{ section: "profile a", profile: "a", values: { sso_account_id: "222222222222" } }],
      removeProfiles: [],
    });
    expect(out.text).toBe('[profile "a"]\nsso_account_id = 222222222222\n\n[profile z]\nregion = x\n');
  });

  it("refuses a value with a line break before changing anything", () => {
    expect(() =>
      editProfiles("", "config", {
        upsert: [{ section: "profile a", profile: "a", values: { region: "x\n[default]" } }],
        removeProfiles: [],
      }),
    ).toThrow(/line break/);
  });
});
