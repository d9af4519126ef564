import { afterAll, beforeAll, beforeEach } from "vitest";
import { createSandbox, type Sandbox } from "./cli.js";
import { type MotoServer, startMoto } from "./moto.js";
import { TestProxy } from "./proxy.js";

export interface E2eEnv {
  moto: MotoServer;
  proxy: TestProxy;
  sandbox: Sandbox;
}

/**
 * One moto + proxy per test file (files run in parallel, each with its own state), and a
 * fresh sandbox, fresh proxy state and an empty moto for every test.
 */
export function useE2eEnv(options: { managedPolicies?: boolean } = {}): E2eEnv {
  const env = {} as E2eEnv;
  beforeAll(async () => {
    // AWS managed policies make every new moto account slow to create: load them only where needed.
    env.moto = await startMoto({
      env: { MOTO_IAM_LOAD_MANAGED_POLICIES: options.managedPolicies ? "true" : "false" },
    });
    env.proxy = await TestProxy.start(env.moto.url);
  }, 60_000);
  beforeEach(async () => {
    env.sandbox?.cleanup();
    await env.moto.reset();
    env.proxy.reset();
    env.proxy.amplifyApps.clear();
    env.sandbox = createSandbox({ endpoint: env.proxy.url });
  });
  afterAll(async () => {
    env.sandbox?.cleanup();
    await env.proxy?.close();
    await env.moto?.stop();
  });
  return env;
}
