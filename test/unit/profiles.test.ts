import { describe, expect, it } from "vitest";
import { sharedConfigFrom } from "../../src/config/files.js";
import { parseIni } from "../../src/config/ini.js";
import { resolveProfile } from "../../src/config/profiles.js";
import { planChain } from "../../src/core/assume/plan.js";

const shared = (config: string, credentials = "") =>
  sharedConfigFrom({ config: "/c", credentials: "/k" }, parseIni(config, "/c"), parseIni(credentials, "/k"));

const SEED_001 = shared(
  `[profile bizcorprole]
role_arn = arn:aws:iam::111111111111:role/BizCorpRole
source_profile = devcorpuser
mfa_serial = arn:aws:iam::222222222222:mfa/devcorpuser
external_id = Ext-1234567890
region = us-east-1
`,
  "[devcorpuser]\naws_access_key_id = AKIADEV\naws_secret_access_key = s3cret\n",
);

describe("resolveProfile", () => {
  it("resolves the seed 001 layout", () => {
    expect(resolveProfile(SEED_001, "bizcorprole")).toEqual({
      name: "bizcorprole",
      base: { kind: "static", profile: "devcorpuser", accessKeyId: "AKIADEV", secretAccessKey: "s3cret" },
      roles: [
        {
          profile: "bizcorprole",
          roleArn: "arn:aws:iam::111111111111:role/BizCorpRole",
          mfaSerial: "arn:aws:iam::222222222222:mfa/devcorpuser",
          externalId: "Ext-1234567890",
        },
      ],
      region: "us-east-1",
    });
  });

  it("follows chains of any depth, base first", () => {
    const s = shared(
      "[profile a]\nrole_arn = arn:aws:iam::111111111111:role/A\nsource_profile = b\n" +
        "[profile b]\nrole_arn = arn:aws:iam::222222222222:role/B\nsource_profile = c\nduration_seconds = 7200\n" +
        "[profile c]\nrole_arn = arn:aws:iam::333333333333:role/C\nsource_profile = keys\n",
      "[keys]\naws_access_key_id = AK\naws_secret_access_key = SK\naws_session_token = ST\n",
    );
    const r = resolveProfile(s, "a");
    expect(r.base).toMatchObject({ kind: "static", profile: "keys", sessionToken: "ST" });
    expect(r.roles.map((x) => x.profile)).toEqual(["c", "b", "a"]);
  });

  it("reports a cycle with the chain", () => {
    const s = shared(
      "[profile a]\nrole_arn = arn:aws:iam::111111111111:role/A\nsource_profile = b\n" +
        "[profile b]\nrole_arn = arn:aws:iam::111111111111:role/B\nsource_profile = a\n",
    );
    expect(() => resolveProfile(s, "a")).toThrow("Profile cycle: a -> b -> a.");
  });

  it("uses a source profile's static keys even if it also has role_arn", () => {
    const s = shared(
      "[profile a]\nrole_arn = arn:aws:iam::111111111111:role/A\nsource_profile = b\n[profile b]\nrole_arn = arn:aws:iam::111111111111:role/B\n",
      "[b]\naws_access_key_id = AK\naws_secret_access_key = SK\n",
    );
    const r = resolveProfile(s, "a");
    expect(r.roles.map((x) => x.profile)).toEqual(["a"]);
    expect(r.base).toMatchObject({ kind: "static", profile: "b" });
  });

  it("uses keys in the same profile as role_arn (no or self source_profile)", () => {
    for (const extra of ["", "source_profile = me\n"]) {
      const s = shared(
        `[profile me]\nrole_arn = arn:aws:iam::111111111111:role/R\n${extra}`,
        "[me]\naws_access_key_id = AK\naws_secret_access_key = SK\n",
      );
      expect(resolveProfile(s, "me")).toMatchObject({
        base: { kind: "static", profile: "me" },
        roles: [{ profile: "me" }],
      });
    }
  });

  it("supports credential_source = Environment and credential_process sources", () => {
    const s = shared(
      "[profile e]\nrole_arn = arn:aws:iam::111111111111:role/R\ncredential_source = Environment\n" +
        "[profile p]\nrole_arn = arn:aws:iam::111111111111:role/R\nsource_profile = proc\n[profile proc]\ncredential_process = get-creds --x\n",
    );
    expect(resolveProfile(s, "e").base).toEqual({ kind: "environment", profile: "e" });
    expect(resolveProfile(s, "p").base).toEqual({
      kind: "process",
      profile: "proc",
      command: "get-creds --x",
    });
  });

  it.each([
    [
      "[profile x]\nrole_arn = arn:aws:iam::1:role/R\ncredential_source = Ec2InstanceMetadata\n",
      /Ec2InstanceMetadata \(instance metadata \(IMDS\)\) is not supported/,
    ],
    [
      "[profile x]\nrole_arn = arn:aws:iam::1:role/R\ncredential_source = Moon\n",
      /unknown credential_source "Moon"/,
    ],
    [
      "[profile x]\nrole_arn = arn:aws:iam::1:role/R\nsource_profile = ghost\n",
      /names source_profile ghost, which is not in/,
    ],
    ["[profile x]\nrole_arn = arn:aws:iam::1:role/R\n", /has role_arn but no source_profile/],
    [
      "[profile x]\nrole_arn = arn:aws:iam::1:role/R\nsource_profile = y\ncredential_source = Environment\n[profile y]\n",
      /sets both source_profile and credential_source/,
    ],
    [
      "[profile x]\nrole_arn = arn:aws:iam::1:role/R\nsource_profile = y\n[profile y]\nsso_session = corp\n",
      /names sso_session corp, but .* has no \[sso-session corp\]/,
    ],
    [
      "[profile x]\nrole_arn = arn:aws:iam::1:role/R\nsource_profile = y\nduration_seconds = 60\n[profile y]\n",
      /duration_seconds = "60" must be 900-43200/,
    ],
  ])("refuses %j with exit 3", (config, message) => {
    expect(() => resolveProfile(shared(config), "x")).toThrow(message);
    try {
      resolveProfile(shared(config), "x");
    } catch (err) {
      expect((err as { exitCode: number }).exitCode).toBe(3);
    }
  });
});

describe("planChain", () => {
  it("clamps chained roles to 3600 s and notes it", () => {
    const s = shared(
      "[profile a]\nrole_arn = arn:aws:iam::111111111111:role/A\nsource_profile = b\nduration_seconds = 7200\n" +
        "[profile b]\nrole_arn = arn:aws:iam::222222222222:role/B\nsource_profile = k\nduration_seconds = 7200\n",
      "[k]\naws_access_key_id = AK\naws_secret_access_key = SK\n",
    );
    const plan = planChain(resolveProfile(s, "a"), {});
    expect(plan.steps.map((st) => [st.profile, st.durationSeconds, st.chained, st.clampedFrom])).toEqual([
      ["b", 7200, false, undefined],
      ["a", 3600, true, 7200],
    ]);
  });

  it("keys the cache by role, session name, external id, MFA serial, duration and source", () => {
    const base = resolveProfile(SEED_001, "bizcorprole");
    const key = planChain(base, {}).steps[0]?.cacheKey.id;
    expect(key).toMatch(/^[0-9a-f]{40}$/);
    expect(planChain(base, {}).steps[0]?.cacheKey.id).toBe(key);
    const variants = [
      planChain(base, {}, { durationSeconds: 900 }),
      planChain({ ...base, roles: [{ ...base.roles[0], externalId: "other" } as never] }, {}),
      planChain({ ...base, roles: [{ ...base.roles[0], mfaSerial: undefined } as never] }, {}),
      planChain({ ...base, roles: [{ ...base.roles[0], sessionName: "named" } as never] }, {}),
      planChain({ ...base, base: { ...base.base, accessKeyId: "AKIAOTHER" } as never }, {}),
    ];
    for (const v of variants) expect(v.steps[0]?.cacheKey.id).not.toBe(key);
  });
});
