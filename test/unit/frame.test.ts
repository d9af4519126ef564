import { describe, expect, it } from "vitest";
import { mapAwsError } from "../../src/aws/errors.js";
import { sharedConfigFrom } from "../../src/config/files.js";
import { parseIni } from "../../src/config/ini.js";
import { resolveAwsSettings } from "../../src/core/aws-settings.js";
import { nonInteractiveReason } from "../../src/io/interactive.js";
import { colorEnabled, createOutput } from "../../src/io/output.js";
import { createNonInteractivePrompter } from "../../src/io/prompter.js";
import { RolectlError } from "../../src/shared/errors.js";

const shared = sharedConfigFrom(
  { config: "/h/.aws/config", credentials: "/h/.aws/credentials" },
  parseIni("[default]\nregion = eu-west-1\n[profile dev]\nregion = eu-central-1\n", "config"),
  parseIni("[dev]\naws_access_key_id = A\n[ci]\naws_access_key_id = B\n", "credentials"),
);

describe("resolveAwsSettings", () => {
  it("takes region from flag, then env, then profile, then us-east-1", () => {
    expect(resolveAwsSettings({ region: "ap-south-1", env: { AWS_REGION: "x" }, shared }).region).toBe(
      "ap-south-1",
    );
    expect(resolveAwsSettings({ env: { AWS_REGION: "sa-east-1" }, shared }).region).toBe("sa-east-1");
    expect(resolveAwsSettings({ env: { AWS_DEFAULT_REGION: "ca-central-1" }, shared }).region).toBe(
      "ca-central-1",
    );
    expect(resolveAwsSettings({ profile: "dev", env: {}, shared }).region).toBe("eu-central-1");
    expect(resolveAwsSettings({ env: {}, shared }).region).toBe("eu-west-1");
    expect(resolveAwsSettings({ env: {}, shared: sharedConfigFrom(shared.paths) }).region).toBe("us-east-1");
    // like the AWS CLI, a named profile does not inherit [default]'s region
    expect(resolveAwsSettings({ profile: "ci", env: {}, shared }).region).toBe("us-east-1");
  });

  it("rejects an unknown profile with exit 3 and lists the known ones", () => {
    const act = () => resolveAwsSettings({ env: { AWS_PROFILE: "nope" }, shared });
    expect(act).toThrow(/Profile "nope" is not in \/h\/.aws\/config or \/h\/.aws\/credentials/);
    try {
      act();
    } catch (err) {
      expect((err as RolectlError).exitCode).toBe(3);
      expect((err as RolectlError).hint).toContain("ci, default, dev");
    }
  });

  it("picks endpoints: flag over service variable over AWS_ENDPOINT_URL", () => {
    const env = { AWS_ENDPOINT_URL: "http://all:1", AWS_ENDPOINT_URL_STS: "http://sts:2" };
    expect(resolveAwsSettings({ env, shared }).endpoints).toEqual({
      iam: "http://all:1",
      sts: "http://sts:2",
      amplify: "http://all:1",
      sso: "http://all:1",
      "sso-oidc": "http://all:1",
    });
    expect(resolveAwsSettings({ endpointUrl: "http://flag:3", env, shared }).endpoints.sts).toBe(
      "http://flag:3",
    );
    expect(() => resolveAwsSettings({ endpointUrl: "ftp://x", env, shared })).toThrow(
      /Invalid endpoint URL "ftp:\/\/x"/,
    );
  });
});

describe("mapAwsError", () => {
  const sdk = (name: string, message = "m", status = 400) =>
    Object.assign(new Error(message), { name, $metadata: { httpStatusCode: status } });
  it.each([
    ["AccessDenied", 4, "access_denied"],
    ["ExpiredToken", 4, "expired_token"],
    ["InvalidClientTokenId", 4, "invalid_credentials"],
    ["NoSuchEntity", 3, "not_found"],
    ["EntityAlreadyExists", 5, "already_exists"],
    ["DeleteConflict", 5, "delete_conflict"],
    ["MalformedPolicyDocument", 2, "malformed_policy"],
    ["LimitExceeded", 5, "limit_exceeded"],
    ["UnmodifiableEntity", 5, "unmodifiable"],
    ["Throttling", 1, "throttled"],
    ["ServiceFailure", 1, "service_failure"],
  ])("maps %s to exit %i", (name, exit, code) => {
    const e = mapAwsError(sdk(name), { operation: "iam:GetRole" });
    expect(e.exitCode).toBe(exit);
    expect(e.code).toBe(code);
    expect(e.message).toBe("iam:GetRole: m");
  });

  it("reads AWS's code from `Code` when the SDK names the class *Exception", () => {
    const e = Object.assign(new Error("Role x not found"), {
      name: "NoSuchEntityException",
      Code: "NoSuchEntity",
    });
    expect(mapAwsError(e).exitCode).toBe(3);
    expect(
      mapAwsError(Object.assign(new Error("m"), { name: "EntityAlreadyExistsException" })).exitCode,
    ).toBe(5);
  });

  it("gives AssumeRole AccessDenied a hint about trust, external id and MFA", () => {
    expect(mapAwsError(sdk("AccessDenied"), { operation: "sts:AssumeRole" }).hint).toMatch(
      /external id.*MFA/,
    );
  });

  it("maps network failures and unknown 5xx", () => {
    const net = Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" });
    expect(mapAwsError(net, { endpoint: "http://x:1" }).message).toContain("cannot reach http://x:1");
    expect(mapAwsError(sdk("Weird", "boom", 503)).code).toBe("service_error");
  });
});

describe("non-interactive detection", () => {
  it.each([
    [{ noInputFlag: true, env: {}, stdinIsTTY: true }, "--no-input was given"],
    [{ noInputFlag: false, env: { ROLECTL_NO_INPUT: "1" }, stdinIsTTY: true }, "ROLECTL_NO_INPUT is set"],
    [{ noInputFlag: false, env: { CI: "true" }, stdinIsTTY: true }, "CI=true"],
    [{ noInputFlag: false, env: {}, stdinIsTTY: false }, "standard input is not a terminal"],
    [{ noInputFlag: false, env: { CI: "false", ROLECTL_NO_INPUT: "0" }, stdinIsTTY: true }, undefined],
  ])("%j -> %s", (input, reason) => {
    expect(nonInteractiveReason(input)).toBe(reason);
  });

  it("the non-interactive prompter names the flag and the reason", async () => {
    const p = createNonInteractivePrompter("CI=true");
    await expect(p.input({ message: "Service principal?", flag: "--service" })).rejects.toThrow(
      /Missing required value --service: Service principal/,
    );
    await expect(p.confirm({ message: "Delete role x?", flag: "--yes" })).rejects.toMatchObject({
      exitCode: 2,
      hint: expect.stringContaining("pass --yes"),
    });
  });
});

describe("output", () => {
  const sink = (isTTY = false) => {
    const s = {
      text: "",
      isTTY,
      write: (c: string) => {
        s.text += c;
      },
    };
    return s;
  };

  it("writes results to stdout and errors as JSON to stderr with --json", () => {
    const stdout = sink();
    const stderr = sink();
    const out = createOutput({ json: true, debug: false, stdout, stderr, color: false });
    out.result({ a: 1 }, () => "human");
    out.error(new RolectlError("already_exists", "exists", { hint: "h" }));
    expect(JSON.parse(stdout.text)).toEqual({ a: 1 });
    expect(JSON.parse(stderr.text)).toEqual({
      error: { code: "already_exists", message: "exists", hint: "h", details: null },
    });
  });

  it("masks registered secrets on stderr", () => {
    const stderr = sink();
    const out = createOutput({ json: false, debug: true, stdout: sink(), stderr, color: false });
    out.addSecret("SECRETVALUE123");
    out.debug("token=SECRETVALUE123");
    expect(stderr.text).toBe("debug: token=****\n");
  });

  it("colours only on a TTY and never with NO_COLOR", () => {
    expect(colorEnabled(sink(true), {})).toBe(true);
    expect(colorEnabled(sink(false), {})).toBe(false);
    expect(colorEnabled(sink(true), { NO_COLOR: "1" })).toBe(false);
    expect(colorEnabled(sink(true), { TERM: "dumb" })).toBe(false);
  });
});
