import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

// Help text built from joined string literals ("… set it" + "on the app …") reads "set iton"
// when a piece loses its trailing space: every piece that continues must end in a space.

const CLI = join(import.meta.dirname, "../../src/cli");
const files = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith(".ts") ? [join(dir, e.name)] : [],
  );

describe("help text", () => {
  it("no string literal joined to the next with + runs two words together", () => {
    const glued = files(CLI).flatMap((f) =>
      [...readFileSync(f, "utf8").matchAll(/(?<!\\)[A-Za-z0-9,.;:)]" \+\n\s*"[A-Za-z(]/g)].map(
        (m) => `${f.slice(CLI.length + 1)}: ${m[0].replace(/\s+/g, " ")}`,
      ),
    );
    expect(glued).toEqual([]);
  });
});
