import { defineConfig } from "vitest/config";

// `npm run test:reliability`: concurrency, crash safety, faults, hostile input and secrets.
export default defineConfig({
  test: {
    // The hostile suites run here too, so that their attacks table is written (see the reporter).
    include: [
      "test/reliability/**/*.test.ts",
      "test/e2e/hostile*.test.ts",
      "test/unit/fuzz.test.ts",
      "test/unit/shell-words.test.ts",
      "test/unit/assume-core.test.ts",
    ],
    reporters: ["default", "./test/support/attack-reporter.ts"],
    pool: "forks",
    poolOptions: { forks: { maxForks: 1, minForks: 1 } },
    testTimeout: 180_000,
    hookTimeout: 60_000,
  },
});
