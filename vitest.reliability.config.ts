import { defineConfig } from "vitest/config";

// `npm run test:reliability`: concurrency, crash safety, faults, hostile input and secrets.
export default defineConfig({
  test: {
    include: ["test/reliability/**/*.test.ts"],
    pool: "forks",
    poolOptions: { forks: { maxForks: 1, minForks: 1 } },
    testTimeout: 180_000,
    hookTimeout: 60_000,
  },
});
