/**
 * All engines, grouped by the module that makes them, so a run loads only the libraries
 * its --backends selection needs. Ours come first; the reference backend leads.
 */
import type { Engine, EngineUnavailable } from "../types.js";

interface Group {
  readonly names: readonly string[];
  load(): Promise<{ engines: Engine[]; unavailable: EngineUnavailable[] }>;
}

const groups: Group[] = [
  { names: ["eager-reference", "eager-cpu-1t", "eager-cpu-2t"], load: async () => (await import("./eager-backends.js")).eagerEngines() },
  { names: ["eager-webgpu"], load: async () => (await import("./webgpu.js")).webgpuEngines() },
  { names: ["eager-webgl"], load: async () => (await import("./webgl.js")).webglEngines() },
  { names: ["tfjs-cpu", "tfjs-wasm"], load: async () => (await import("./tfjs.js")).tfjsEngines() },
  { names: ["jax-js-wasm"], load: async () => (await import("./jax.js")).jaxEngines() },
];

/** Every engine name, in run order. */
export const engineNames: readonly string[] = groups.flatMap((g) => g.names);

/** Whether `name` is picked by a --backends list (a name, or any part of one: "tfjs", "cpu"). */
export function selected(name: string, backends: readonly string[] | null): boolean {
  return backends === null || backends.some((b) => name === b || name.includes(b));
}

/** Loads the selected engines; those that cannot start come back with reasons. */
export async function loadEngines(backends: readonly string[] | null): Promise<{ engines: Engine[]; unavailable: EngineUnavailable[] }> {
  const engines: Engine[] = [];
  const unavailable: EngineUnavailable[] = [];
  for (const g of groups) {
    if (!g.names.some((n) => selected(n, backends))) continue;
    try {
      const r = await g.load();
      engines.push(...r.engines.filter((e) => selected(e.name, backends)));
      unavailable.push(...r.unavailable.filter((e) => selected(e.name, backends)));
    } catch (e) {
      for (const name of g.names.filter((n) => selected(n, backends)))
        unavailable.push({ name, reason: `failed to load: ${(e as Error).message.split("\n")[0]}` });
    }
  }
  return { engines, unavailable };
}
