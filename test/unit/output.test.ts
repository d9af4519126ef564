import { describe, expect, it } from "vitest";
import { createOutput } from "../../src/io/output.js";

function capture() {
  let text = "";
  const write = (s: string) => {
    text += s;
  };
  return { stream: { write }, text: () => text };
}

describe("secret masking on stderr", () => {
  it("masks a long secret anywhere and a short code only as a whole token", () => {
    const stderr = capture();
    const secrets = new Set<string>();
    const out = createOutput({
      json: false,
      debug: false,
      stdout: capture().stream,
      stderr: stderr.stream,
      color: false,
      secrets,
    });
    out.addSecret("wJalrXUtnFEMIK7MDENGbPxRfiCY");
    out.addSecret("123456");
    out.warn("key wJalrXUtnFEMIK7MDENGbPxRfiCYxyz; code 123456; account 123456789012; id Ext-1234567890");
    expect(stderr.text()).toBe("warning: key ****xyz; code ****; account 123456789012; id Ext-1234567890\n");
  });

  it("one registry serves every output of a run (the final error printer included)", () => {
    const secrets = new Set<string>();
    const stderr = capture();
    createOutput({
      json: false,
      debug: false,
      stdout: capture().stream,
      stderr: capture().stream,
      color: false,
      secrets,
    }).addSecret("s3cr3t-value-long-enough");
    const printer = createOutput({
      json: false,
      debug: false,
      stdout: capture().stream,
      stderr: stderr.stream,
      color: false,
      secrets,
    });
    printer.info("leaked s3cr3t-value-long-enough?");
    expect(stderr.text()).toBe("leaked ****?\n");
  });
});
