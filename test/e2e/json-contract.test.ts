import { describe, expect, it } from "vitest";
import { useE2eEnv } from "../support/env.js";

// The --json contract (README, "--json output"): a command's keys are the same whatever happened
// (null, not absent), actions are {description, operation, target}, tags are an object.

const env = useE2eEnv({ managedPolicies: true });

async function json(...args: string[]) {
  const r = await env.sandbox.run([...args, "--json"]);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as Record<string, unknown>;
}

/** Every key path of a document ("a.b", arrays by their first element as "a[]"). */
function keyPaths(value: unknown, at = ""): string[] {
  if (Array.isArray(value)) return value.length ? keyPaths(value[0], `${at}[]`) : [];
  if (value === null || typeof value !== "object") return [];
  return Object.entries(value).flatMap(([k, v]) => [`${at}${k}`, ...keyPaths(v, `${at}${k}.`)]);
}
const topKeys = (doc: Record<string, unknown>) => Object.keys(doc).sort();

describe("--json keys do not depend on what happened", () => {
  it("role create: created, unchanged and dry-run documents have the same keys", async () => {
    const args = ["role", "create", "keys", "--service", "lambda"];
    const dry = await json(...args, "--dry-run");
    const created = await json(...args);
    const unchanged = await json(...args);
    expect(topKeys(created)).toEqual(topKeys(dry));
    expect(topKeys(unchanged)).toEqual(topKeys(created));
    expect(created).toMatchObject({ notes: [], verified: null });
    expect(created.actions).toEqual([
      { description: "create role keys (path /)", operation: "iam:CreateRole", target: "keys" },
    ]);
  });

  it("amplify-service-role: with and without an app, the same keys (app: null)", async () => {
    env.proxy.amplifyApps.set("d1keys", { appId: "d1keys", name: "keys" });
    const without = await json("amplify-service-role");
    const withApp = await json("amplify-service-role", "--app-id", "d1keys");
    expect(topKeys(withApp)).toEqual(topKeys(without));
    expect(without.app).toBeNull();
  });

  it("role show: tags as an object, unset values null, the same keys for a bare role and a full one", async () => {
    await json("role", "create", "bare", "--service", "lambda");
    await json(
      "role",
      "create",
      "full",
      "--service",
      "lambda",
      "--description",
      "d",
      "--tag",
      "team=web",
      "--tag",
      "env=prod",
    );
    const bare = await json("role", "show", "bare");
    const full = await json("role", "show", "full");
    expect(keyPaths(bare).filter((k) => !k.startsWith("tags.") && !k.startsWith("trustPolicy."))).toEqual(
      keyPaths(full).filter((k) => !k.startsWith("tags.") && !k.startsWith("trustPolicy.")),
    );
    expect(bare).toMatchObject({ description: null, permissionsBoundary: null, lastUsed: null, tags: {} });
    expect(full.tags).toEqual({ team: "web", env: "prod" });
  });
});
