import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, normalize, relative } from "node:path";
import { describe, expect, it } from "vitest";

// DESIGN.md: imports point down only. shared <- fs <- {config, cache, aws} <- core <- cli,
// and io (the terminal) is used by cli alone. A layer may import itself and the layers below;
// config, cache and aws sit side by side and do not import one another.

const SRC = join(import.meta.dirname, "../../src");

const RANK: Record<string, number> = {
  shared: 0,
  version: 0,
  fs: 1,
  io: 2,
  config: 2,
  cache: 2,
  aws: 2,
  core: 3,
  cli: 4,
  main: 5,
  fast: 5,
};
/** Who may use the terminal layer. */
const IO_USERS = new Set(["io", "cli", "main"]);

const layerOf = (file: string): string => {
  const first = relative(SRC, file).split("/")[0] ?? "";
  return first.replace(/\.ts$/, "");
};

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sourceFiles(join(dir, e.name)) : e.name.endsWith(".ts") ? [join(dir, e.name)] : [],
  );
}

/** Relative imports of a file: static, type-only and dynamic `import()` alike. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, "utf8");
  const specs = [...text.matchAll(/(?:from\s+|import\s*\(\s*)"(\.{1,2}\/[^"]+)"/g)].map(
    (m) => m[1] as string,
  );
  return specs.map((spec) => normalize(join(dirname(file), spec.replace(/\.js$/, ".ts"))));
}

/** Why `file` may not import `target`, or undefined when it may. */
function violation(file: string, target: string): string | undefined {
  const from = layerOf(file);
  const to = layerOf(target);
  if (!(from in RANK) || !(to in RANK)) return `unknown layer ${from in RANK ? to : from}`;
  if (to === "io" && !IO_USERS.has(from)) return "only cli uses io";
  if (from !== to && (RANK[to] as number) >= (RANK[from] as number)) return `${from} may not import ${to}`;
  return undefined;
}

const violations = (files: string[]): string[] =>
  files.flatMap((file) =>
    importsOf(file).flatMap((target) => {
      const why = violation(file, target);
      return why ? [`${relative(SRC, file)} imports ${relative(SRC, target)}: ${why}`] : [];
    }),
  );

describe("layers", () => {
  const files = sourceFiles(SRC);

  it("every import in src/ points down (shared <- fs <- {config, cache, aws} <- core <- cli)", () => {
    expect(files.length).toBeGreaterThan(40);
    expect(violations(files)).toEqual([]);
  });

  it("the shared layer imports nothing of ours", () => {
    const shared = files.filter((f) => layerOf(f) === "shared");
    expect(shared.length).toBeGreaterThan(3);
    const outside = shared.flatMap((f) => importsOf(f).filter((t) => layerOf(t) !== "shared"));
    expect(outside).toEqual([]);
  });

  it("the check itself catches an import that points up, sideways or into io, and allows one down", () => {
    const at = (path: string) => join(SRC, path);
    expect(violation(at("core/x.ts"), at("cli/context.ts"))).toBe("core may not import cli");
    expect(violation(at("config/x.ts"), at("cache/store.ts"))).toBe("config may not import cache");
    expect(violation(at("core/x.ts"), at("io/output.ts"))).toBe("only cli uses io");
    expect(violation(at("shared/x.ts"), at("fs/atomic.ts"))).toBe("shared may not import fs");
    expect(violation(at("newlayer/x.ts"), at("shared/errors.ts"))).toBe("unknown layer newlayer");
    expect(violation(at("core/x.ts"), at("cache/store.ts"))).toBeUndefined();
    expect(violation(at("cli/x.ts"), at("io/output.ts"))).toBeUndefined();
  });
});
