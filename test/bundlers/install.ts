/**
 * Installs the packages as a user gets them from the registry: builds dist/, packs each
 * package with `pnpm pack`, and installs the tarballs into a fresh app folder outside the
 * monorepo (from the local pnpm store; dependencies' install scripts are not run).
 */
import { execFileSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../..", import.meta.url));

/** The published packages: name and folder in the monorepo. */
export const PACKAGES = [
  { name: "@eager/core", dir: "packages/core" },
  { name: "@eager/backend-cpu", dir: "backends/cpu" },
  { name: "@eager/backend-webgpu", dir: "backends/webgpu" },
  { name: "@eager/backend-webgl", dir: "backends/webgl" },
] as const;

const run = (cmd: string, args: string[], cwd: string) => execFileSync(cmd, args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, CI: "1" } });

/** pnpm: the one running this process's script (`pnpm run`), else the one on PATH. */
function pnpm(args: string[], cwd: string): string {
  const exec = process.env["npm_execpath"];
  return exec && /pnpm\.c?js$/.test(exec) ? run(process.execPath, [exec, ...args], cwd) : run("pnpm", args, cwd);
}

/** Build, pack and install into a new app folder holding the fixture app; returns the folder. */
export function installPackedApp(): string {
  const filters = PACKAGES.flatMap((p) => ["--filter", p.name]);
  pnpm([...filters, "run", "build"], root);
  const work = mkdtempSync(join(tmpdir(), "eager-bundlers-"));
  const tarballs = join(work, "tarballs");
  mkdirSync(tarballs);
  for (const p of PACKAGES) pnpm(["pack", "--pack-destination", tarballs], join(root, p.dir));
  const files = readdirSync(tarballs);
  const tarball = (name: string) => {
    const f = files.find((x) => x.startsWith(name.replace("@", "").replace("/", "-") + "-"));
    if (!f) throw new Error(`no tarball for ${name} in ${files.join(", ")}`);
    return `file:${join(tarballs, f)}`;
  };
  const app = join(work, "app");
  cpSync(fileURLToPath(new URL("../fixtures/bundle-app", import.meta.url)), join(app, "src"), { recursive: true });
  const pkg = {
    name: "eager-bundle-app",
    private: true,
    type: "module",
    dependencies: Object.fromEntries(PACKAGES.map((p) => [p.name, tarball(p.name)])),
    // The backends depend on @eager/core by version; point that at the packed tarball too.
    pnpm: { overrides: { "@eager/core": tarball("@eager/core") } },
  };
  writeFileSync(join(app, "package.json"), JSON.stringify(pkg, null, 2));
  pnpm(["install", "--prefer-offline", "--ignore-scripts", "--config.auto-install-peers=false"], app);
  return app;
}
