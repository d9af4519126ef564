import { describe, expect, it } from "vitest";
import { awsSettingsFrom } from "../../src/aws/settings.js";

// The settings rolectl hands the SDK explicitly (so that the SDK need not parse the config) are
// read the way the SDK reads them: the variable when set, else the profile's key.

const settings = (env: Record<string, string>, profileValues: Record<string, string> = {}) =>
  awsSettingsFrom({ profile: "p", env, profileValues });

describe("settings the SDK would look up itself", () => {
  it("booleans: the variable wins over the profile; only exactly true/false", () => {
    expect(settings({}, { use_fips_endpoint: "true" }).useFipsEndpoint).toBe(true);
    expect(settings({ AWS_USE_FIPS_ENDPOINT: "false" }, { use_fips_endpoint: "true" }).useFipsEndpoint).toBe(
      false,
    );
    expect(settings({}, {}).useDualstackEndpoint).toBe(false);
    for (const bad of ["", "TRUE", "yes"])
      expect(() => settings({ AWS_USE_FIPS_ENDPOINT: bad })).toThrow(
        /Invalid AWS_USE_FIPS_ENDPOINT .*must be "true" or "false"/,
      );
    expect(() => settings({}, { use_dualstack_endpoint: "1" })).toThrow(
      /use_dualstack_endpoint in profile p/,
    );
  });

  it("defaults mode: one of the SDK's, refused otherwise; legacy when unset", () => {
    expect(settings({}).defaultsMode).toBe("legacy");
    expect(settings({}, { defaults_mode: "standard" }).defaultsMode).toBe("standard");
    expect(() => settings({ AWS_DEFAULTS_MODE: "fast" })).toThrow(/Invalid AWS_DEFAULTS_MODE "fast"/);
  });

  it("auth scheme preference and app id", () => {
    expect(settings({ AWS_AUTH_SCHEME_PREFERENCE: "sigv4a, sigv4" }).authSchemePreference).toEqual([
      "sigv4a",
      "sigv4",
    ]);
    expect(settings({}, { sdk_ua_app_id: "ci" }).userAgentAppId).toBe("ci");
  });
});
