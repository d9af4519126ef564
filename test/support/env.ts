import { afterAll, beforeAll, beforeEach } from "vitest";
import { createSandbox, type Sandbox } from "./cli.js";
import { type MotoServer, startMoto, TEST_MANAGED_POLICIES } from "./moto.js";
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
    // Every AWS managed policy moto loads is copied into each new account: load only the few
    // the tests attach, and only where needed.
    env.moto = await startMoto({ managedPolicies: options.managedPolicies ? TEST_MANAGED_POLICIES : "none" });
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
