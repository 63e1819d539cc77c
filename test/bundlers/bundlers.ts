/**
 * The five bundlers a browser app might use, each run on the installed app's src/main.js
 * with its usual settings for a browser build, into `out` with an index.html that loads the
 * bundle. Each returns the errors and warnings it reported (messages as text), never throws.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";

/** What one bundler run reported. */
export interface BundleResult {
  readonly errors: string[];
  readonly warnings: string[];
}

type Bundler = (app: string, out: string) => Promise<BundleResult>;

const moduleHtml = (script: string, type: "module" | "classic") =>
  `<!doctype html><html><head><meta charset="utf-8"><link rel="icon" href="data:,"></head><body><script${type === "module" ? ' type="module"' : ""} src="./${script}"></script></body></html>`;

async function guarded(fn: (r: BundleResult) => Promise<void>): Promise<BundleResult> {
  const r: BundleResult = { errors: [], warnings: [] };
  try {
    await fn(r);
  } catch (e) {
    r.errors.push(String((e as Error)?.message ?? e));
  }
  return r;
}

/** esbuild with --platform=browser. */
const esbuild: Bundler = (app, out) =>
  guarded(async (r) => {
    const { build, formatMessages } = await import("esbuild");
    const res = await build({ entryPoints: [join(app, "src/main.js")], bundle: true, platform: "browser", format: "esm", minify: true, outdir: out, logLevel: "silent" });
    r.warnings.push(...(await formatMessages(res.warnings, { kind: "warning" })));
    writeFileSync(join(out, "index.html"), moduleHtml("main.js", "module"));
  });

/** Vite (7 or 8: the module to load), default production build of index.html. */
const vite =
  (moduleName: "vite7" | "vite"): Bundler =>
  (app, out) =>
    guarded(async (r) => {
      const v = (await import(moduleName)) as typeof import("vite");
      const logger = v.createLogger("warn", { allowClearScreen: false });
      const customLogger = {
        ...logger,
        warn: (msg: string) => void r.warnings.push(msg),
        warnOnce: (msg: string) => void r.warnings.push(msg),
        error: (msg: string) => void r.errors.push(msg),
      };
      writeFileSync(join(app, "index.html"), moduleHtml("src/main.js", "module"));
      await v.build({ root: app, configFile: false, logLevel: "warn", customLogger, build: { outDir: out, emptyOutDir: true, reportCompressedSize: false } });
    });

/** webpack 5 in production mode, target web (size hints off: gpu.js alone is above them). */
const webpack: Bundler = (app, out) =>
  guarded(async (r) => {
    const { default: wp } = await import("webpack");
    const stats = await new Promise<import("webpack").Stats>((resolve, reject) =>
      wp(
        {
          mode: "production",
          target: "web",
          context: app,
          entry: "./src/main.js",
          output: { path: out, filename: "main.js" },
          optimization: { minimize: false },
          performance: { hints: false },
        },
        (err, s) => (err || !s ? reject(err ?? new Error("webpack gave no stats")) : resolve(s)),
      ),
    );
    const json = stats.toJson({ all: false, errors: true, warnings: true });
    r.errors.push(...(json.errors ?? []).map((e) => e.message));
    r.warnings.push(...(json.warnings ?? []).map((e) => e.message));
    writeFileSync(join(out, "index.html"), moduleHtml("main.js", "classic"));
  });

/** Rollup 4 with the node-resolve (browser conditions) and commonjs plugins, as its docs set up an app. */
const rollup: Bundler = (app, out) =>
  guarded(async (r) => {
    const { rollup: roll } = await import("rollup");
    const { nodeResolve } = await import("@rollup/plugin-node-resolve");
    const { default: commonjs } = (await import("@rollup/plugin-commonjs")) as unknown as { default: () => import("rollup").Plugin };
    const bundle = await roll({
      input: join(app, "src/main.js"),
      plugins: [nodeResolve({ browser: true }), commonjs()],
      onwarn: (w) => void r.warnings.push(`${w.code ?? ""}: ${w.message}`),
    });
    await bundle.write({ dir: out, format: "es", entryFileNames: "main.js" });
    await bundle.close();
    writeFileSync(join(out, "index.html"), moduleHtml("main.js", "module"));
  });

/** Every bundler under test, by name. */
export const BUNDLERS: Record<string, Bundler> = { esbuild, "vite 7": vite("vite7"), "vite 8": vite("vite"), "webpack 5": webpack, rollup };

/** A warning or error that is about a Node built-in (externalized, unresolved, polyfilled). */
export function mentionsNodeBuiltin(message: string): boolean {
  return /node:|externalized for browser|browser compatibility|node(\.?js)? built-?in|core module|polyfill|Can't resolve '(fs|path|os|v8|worker_threads|async_hooks|url|module|crypto)'|"(fs|path|os|v8|worker_threads|async_hooks)"/i.test(message);
}
