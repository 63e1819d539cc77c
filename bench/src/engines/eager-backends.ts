/**
 * Our engines: the reference backend always; @eager/backend-cpu at 1 and 2 threads when
 * the package is present and can make an instance with a given thread count. When it
 * cannot, the rows are skipped and the reason is printed, never guessed around.
 */
import * as core from "@eager/core";
import type { Engine, EngineUnavailable } from "../types.js";
import { createEagerEngine } from "./eager.js";

type CpuModule = Record<string, unknown>;

async function importCpuBackend(): Promise<CpuModule | string> {
  try {
    // A variable specifier: the package is optional, so its types are not required to build.
    const specifier = "@eager/backend-cpu";
    return (await import(specifier)) as CpuModule;
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === "ERR_MODULE_NOT_FOUND" || code === "ERR_PACKAGE_PATH_NOT_EXPORTED") return "@eager/backend-cpu is not available in this checkout";
    return `@eager/backend-cpu failed to load: ${(e as Error).message.split("\n")[0]}`;
  }
}

type Register = (name: string, options: { threads: number; awaitWorkers: boolean }, priority: number) => void;

/** The package's way to register an instance with a thread count under a name of ours. */
function cpuRegistrar(mod: CpuModule): Register | string {
  const f = mod.registerCpuBackend;
  if (typeof f === "function") return f as Register;
  return `@eager/backend-cpu exports no registerCpuBackend(name, { threads }) (exports: ${Object.keys(mod).join(", ") || "none"})`;
}

/** Engines for our backends, and the ones that could not be made, with reasons. */
export async function eagerEngines(): Promise<{ engines: Engine[]; unavailable: EngineUnavailable[] }> {
  const engines: Engine[] = [createEagerEngine("eager-reference", "reference", { threads: 1 })];
  const unavailable: EngineUnavailable[] = [];
  const mod = await importCpuBackend();
  const register = typeof mod === "string" ? mod : cpuRegistrar(mod);
  for (const threads of [1, 2]) {
    const name = `eager-cpu-${threads}t`;
    if (typeof register === "string") {
      unavailable.push({ name, reason: register });
      continue;
    }
    const device = `bench-cpu-${threads}t`;
    try {
      // Timings start with every pool worker up (the backend is otherwise ready before them).
      register(device, { threads, awaitWorkers: true }, -1);
      await core.ready(device);
      engines.push(createEagerEngine(name, device, { threads }));
    } catch (e) {
      unavailable.push({ name, reason: `could not start: ${(e as Error).message.split("\n")[0]}` });
    }
  }
  return { engines, unavailable };
}
