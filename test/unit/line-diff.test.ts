import { describe, expect, it } from "vitest";
import { lineDiff } from "../../src/shared/line-diff.js";

describe("lineDiff", () => {
  it("marks removed and added lines around the common ones", () => {
    expect(lineDiff(["a", "b", "c"], ["a", "x", "c", "d"])).toEqual(["  a", "- b", "+ x", "  c", "+ d"]);
  });
  it("is all context for equal inputs, all additions from nothing", () => {
    expect(lineDiff(["a"], ["a"])).toEqual(["  a"]);
    expect(lineDiff([], ["a", "b"])).toEqual(["+ a", "+ b"]);
    expect(lineDiff(["a", "b"], [])).toEqual(["- a", "- b"]);
  });
});
