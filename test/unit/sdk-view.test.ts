import { describe, expect, it } from "vitest";
import { sharedConfigFrom } from "../../src/config/files.js";
import { parseIni } from "../../src/config/ini.js";
import { sdkFileViews } from "../../src/config/sdk-view.js";

const CONFIG = [
  "[default]",
  "region = eu-west-1",
  "[profile other]",
  "region = us-west-2",
  "[profile role]",
  "role_arn = arn:aws:iam::111111111111:role/R",
  "source_profile = base",
  "services = local",
  "[profile base]",
  "use_fips_endpoint = true",
  "[sso-session corp]",
  "sso_region = us-east-1",
  "[services local]",
  "iam =",
  "  endpoint_url = http://127.0.0.1:1",
  "[profile unrelated]",
  "region = ap-south-1",
  "",
].join("\n");

describe("the SDK's view of the shared files", () => {
  it("holds the profile, its source chain, [default], [sso-session] and [services] sections, byte for byte", () => {
    const shared = sharedConfigFrom(
      { config: "/c", credentials: "/k" },
      parseIni(CONFIG, "/c"),
      parseIni("[base]\naws_access_key_id = AKIA\n[nobody]\naws_access_key_id = B\n", "/k"),
    );
    const [config, credentials] = sdkFileViews(shared, ["role"]);
    const text = (v: typeof config) => v?.sections.map((s) => s.text).join("");
    expect(config?.path).toBe("/c");
    expect(text(config)).toBe(
      [
        "[default]",
        "region = eu-west-1",
        "[profile role]",
        "role_arn = arn:aws:iam::111111111111:role/R",
        "source_profile = base",
        "services = local",
        "[profile base]",
        "use_fips_endpoint = true",
        "[sso-session corp]",
        "sso_region = us-east-1",
        "[services local]",
        "iam =",
        "  endpoint_url = http://127.0.0.1:1",
        "",
      ].join("\n"),
    );
    expect(credentials?.path).toBe("/k");
    expect(text(credentials)).toBe("[base]\naws_access_key_id = AKIA\n");
  });

  it("follows a source_profile loop without hanging", () => {
    const shared = sharedConfigFrom(
      { config: "/c", credentials: "/k" },
      parseIni("[profile a]\nsource_profile = b\n[profile b]\nsource_profile = a\n", "/c"),
      undefined,
    );
    expect((sdkFileViews(shared, ["a"])[0]?.sections ?? []).map((x) => x.text).join("")).toBe(
      "[profile a]\nsource_profile = b\n[profile b]\nsource_profile = a\n",
    );
  });
});
