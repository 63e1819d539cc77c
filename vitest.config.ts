/** Test projects: node (all *.test.ts). Tests run on the TypeScript sources of every package. */
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

const src = (p: string) => fileURLToPath(new URL(p, import.meta.url));

export default defineConfig({
  resolve: {
    alias: [
      { find: /^@eager\/core\/backend$/, replacement: src("./packages/core/src/backend.ts") },
      { find: /^@eager\/core$/, replacement: src("./packages/core/src/index.ts") },
      { find: /^@eager\/backend-cpu$/, replacement: src("./backends/cpu/src/index.ts") },
      { find: /^@eager\/conformance$/, replacement: src("./packages/conformance/src/index.ts") },
    ],
  },
  test: {
    include: ["packages/**/test/**/*.test.ts", "test/**/*.test.ts", "backends/**/test/**/*.test.ts", "plugins/**/test/**/*.test.ts"],
    exclude: ["**/node_modules/**", "**/*.browser.test.ts"],
    testTimeout: 30000,
  },
});
