import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

const source = (path: string) => fileURLToPath(new URL(path, import.meta.url));

// Tests run against the TypeScript sources; no build is needed first.
export default defineConfig({
  resolve: {
    alias: {
      "@hermes/core": source("./packages/core/src/index.ts"),
      "@hermes/testkit": source("./packages/testkit/src/index.ts"),
      "@hermes/backend-local": source("./packages/backend-local/src/index.ts"),
      "@hermes/backend-docker": source("./packages/backend-docker/src/index.ts"),
      "@hermes/backend-ssh": source("./packages/backend-ssh/src/index.ts"),
      "@hermes/backend-hpc": source("./packages/backend-hpc/src/index.ts"),
      "@hermes/backend-cloud/daytona": source("./packages/backend-cloud/src/daytona/index.ts"),
      "@hermes/backend-cloud/modal": source("./packages/backend-cloud/src/modal/index.ts"),
      "@hermes/backend-cloud/vercel": source("./packages/backend-cloud/src/vercel/index.ts"),
      "@hermes/backend-cloud/testing": source("./packages/backend-cloud/src/testing/index.ts"),
      "@hermes/ai-sdk": source("./packages/ai-sdk/src/index.ts"),
      "@hermes/mcp": source("./packages/mcp/src/index.ts"),
      "@hermes/cli": source("./packages/cli/src/index.ts"),
    },
  },
  test: {
    include: ["packages/*/src/**/*.test.ts", "packages/*/test/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    reporters: process.env.CI ? ["verbose"] : ["default"],
    // Usage records of the tests' environments stay out of the user's ~/.hermes.
    env: { HERMES_HOME: source("./node_modules/.cache/hermes-test-home") },
  },
});
