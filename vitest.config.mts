import os from "node:os";
import path from "node:path";
import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: {
    tsconfigPaths: true,
    // `import "server-only"` throws outside Next's server bundles; tests run server modules in node.
    alias: { "server-only": path.resolve(import.meta.dirname, "node_modules/server-only/empty.js") },
  },
  test: {
    include: ["lib/**/*.test.ts", "app/**/*.test.ts", "components/**/*.test.ts", "scripts/**/*.test.ts"],
    environment: "node",
    pool: "forks",
    testTimeout: 20_000,
    hookTimeout: 60_000,
    // A test that reaches the process-wide store (health, sessions) gets a throwaway data directory.
    env: {
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
      CAPSTAN_DATA_DIR: path.join(os.tmpdir(), `capstan-vitest-${process.pid}`),
    },
  },
});
