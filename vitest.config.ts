import { defineConfig } from "vitest/config";

export default defineConfig({
  // Node loads graphql's CommonJS build for us and for mercurius alike; vite would pick its ESM build
  // for our modules, and two graphql instances refuse each other's schemas.
  resolve: { alias: [{ find: /^graphql$/, replacement: "graphql/index.js" }] },
  test: {
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: "forks",
    projects: [
      { extends: true, test: { name: "unit", include: ["test/**/*.test.ts"], exclude: ["test/kafka/**"] } },
      {
        extends: true,
        test: {
          name: "kafka",
          include: ["test/kafka/**/*.test.ts"],
          globalSetup: ["test/kafka/global-setup.ts"],
          // One broker for all files, and one test restarts it: one file at a time, after the unit tests.
          fileParallelism: false,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
