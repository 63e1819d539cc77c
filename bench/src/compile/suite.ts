/**
 * The compile benchmark's runner, shared by Node (src/compile-main.ts) and the browser page:
 * for each backend and workload, checks the compiled result against eager, then times eager,
 * compiled and (on the cpu backend, for a*b+c and the MLP step) jax-js `jit` interleaved in
 * one process, and reports compile time, steady-state medians, ratios and the fused kernels.
 */
import * as tf from "@eager/core";
import type { Engine, HostArray } from "../types.js";
import { interleaved, ratioSpread, type Timing, type Variant } from "./measure.js";
import { COMPILE_WORKLOADS, MLP_BATCH, mlpSpec, type Sizes } from "./workloads.js";
import { uniform as uniformHost } from "../data.js";

/** A backend to run on: the device name, a label that says what it really is, and its sizes. */
export interface CompileBackend {
  readonly name: string;
  readonly device: string;
  readonly label: string;
  readonly sizes: Sizes;
  /** True for a software GPU: fewer rounds, smaller budget, and the numbers show overheads only. */
  readonly software: boolean;
}

/** One row: a workload on a backend. */
export interface CompileRow {
  backend: string;
  workload: string;
  example: boolean;
  size?: string;
  status: "ok" | "failed";
  reason?: string;
  eager?: Timing;
  compiled?: Timing;
  jaxJit?: Timing;
  /** Compiled median / eager median (below 1: compiled is faster). */
  compiledOverEager?: number;
  /**
   * The median of the per-round ratios compiled / eager (paired: each round runs both under the
   * same load); the "never slower than eager" verdict of the example rows uses it.
   */
  compiledOverEagerPaired?: number;
  /** Interleaved rounds timed. */
  rounds?: number;
  /** Fastest compiled call / fastest eager call (less sensitive to load from other processes). */
  compiledOverEagerBest?: number;
  /** The same ratio per round: [min, median, max]. */
  compiledOverEagerSpread?: [number, number, number];
  /** jax-js jit median / compiled median (above 1: compiled is faster). */
  jaxJitOverCompiled?: number;
  jaxJitOverCompiledSpread?: [number, number, number];
  /** Trace + passes, in ms (program.compileSeconds). */
  traceAndPassesMs?: number;
  /** The first compiled call: trace, passes, kernel builds and one run. */
  firstCompiledCallMs?: number;
  firstEagerCallMs?: number;
  ops?: number;
  kernels?: number;
  fusedKernels?: number;
  opsInFusedKernels?: number;
  /** Kernels that would fuse but ran op by op on this device (no fused kernel support). */
  unfusedOnDevice?: number;
  /** The workload's extra variants (a*b+c on cpu: without the readback), timed in the same rounds. */
  extra?: Record<string, Timing>;
  /** compiledNoReadback / eagerNoReadback, when both ran. */
  compiledOverEagerNoReadback?: number;
  compiledOverEagerNoReadbackSpread?: [number, number, number];
  /** compiledDonated / eagerAccumulate (an accumulator updated in place by a donating compiled function, allocated before eager's), when both ran. */
  donatedOverEager?: number;
  donatedOverEagerSpread?: [number, number, number];
  /** The same with the donated accumulator allocated after eager's. */
  donatedAfterOverEager?: number;
  donatedAfterOverEagerSpread?: [number, number, number];
}

/** Options of one suite run. */
export interface CompileSuiteOptions {
  readonly backends: readonly CompileBackend[];
  /** Workload ids (or prefixes) to run; null: all. */
  readonly filter: readonly string[] | null;
  readonly quick: boolean;
  /** jax-js (jit) on its wasm device, at its best where it runs; null: not run. */
  readonly jax: Engine | null;
  readonly log: (line: string) => void;
}

const fixed = (x: number | undefined, d = 3) => (x === undefined || !Number.isFinite(x) ? "-" : x.toPrecision(d));

/** jax-js's variant of a workload, checked against eager's result first. */
async function jaxVariant(jax: Engine, peer: "mulAdd" | "mlp", sizes: Sizes, eagerCheck: () => Promise<number[]>): Promise<{ variant: Variant; dispose: () => void }> {
  await jax.activate();
  if (peer === "mulAdd") {
    const n = sizes.mulAdd;
    const host = [1, 2, 3].map((s) => uniformOf(n, s));
    const [a, b, c] = host.map((h) => jax.fromHost(h));
    const want = await eagerCheck();
    const got = jax.mulAdd(a, b, c);
    const gv = await jax.read(got);
    jax.dispose(got);
    for (let k = 0; k < want.length; k++) {
      const i = k * 997;
      if (Math.abs(gv[i]! - want[k]!) > 1e-6 * Math.max(1, Math.abs(want[k]!))) throw new Error(`jax-js a*b+c element ${i}: ${gv[i]}, eager ${want[k]}`);
    }
    return {
      variant: {
        id: "jaxJit",
        run: async () => {
          const y = jax.mulAdd(a, b, c);
          await jax.read(y);
          jax.dispose(y);
        },
      },
      dispose: () => [a, b, c].forEach((t) => jax.dispose(t)),
    };
  }
  const s = mlpSpec();
  const zeros = (n: number): HostArray => ({ data: new Float32Array(n), shape: [n] });
  const trainer = jax.mlp({ w1: s.w1, b1: zeros(128), w2: s.w2, b2: zeros(10), x: s.x, labels: s.labels, learningRate: 0.1 });
  const want = await eagerCheck();
  const first = await trainer.step();
  if (!(Math.abs(first - want[0]!) <= 1e-4 * Math.max(1, Math.abs(want[0]!)))) throw new Error(`jax-js MLP step: first loss ${first}, eager ${want[0]} (batch ${MLP_BATCH})`);
  return { variant: { id: "jaxJit", run: async () => void (await trainer.step()) }, dispose: () => trainer.dispose() };
}

/** The same numbers as the eager inputs. */
const uniformOf = (n: number, seed: number): HostArray => uniformHost([n], seed);


/** Eager's reference values for the jax-js check: sampled a*b+c elements, or the MLP's first loss. */
async function eagerValues(peer: "mulAdd" | "mlp", device: string, sizes: Sizes): Promise<number[]> {
  return tf.withDevice(device, async () => {
    if (peer === "mulAdd") {
      const n = sizes.mulAdd;
      const [a, b, c] = [1, 2, 3].map((s) => tf.tensor(uniformHost([n], s).data, [n]));
      const y = tf.add(tf.mul(a!, b!), c!);
      const v = await y.data();
      [a, b, c, y].forEach((t) => t!.dispose());
      const out: number[] = [];
      for (let i = 0; i < n; i += 997) out.push(v[i]!);
      return out;
    }
    const s = mlpSpec();
    const x = tf.tensor(s.x.data, s.x.shape);
    const labels = tf.tensor(s.labels.data, s.labels.shape);
    const w1 = tf.tensor(s.w1.data, s.w1.shape);
    const w2 = tf.tensor(s.w2.data, s.w2.shape);
    const z = tf.tidy(() => tf.matmul(tf.relu(tf.matmul(x, w1)), w2));
    const l = tf.tidy(() => tf.div(tf.sum(tf.sub(tf.logSumExp(z, 1), tf.sum(tf.mul(labels, z), 1))), MLP_BATCH));
    const v = (await l.data())[0]!;
    [x, labels, w1, w2, z, l].forEach((t) => t.dispose());
    return [v];
  });
}

/** Runs the suite; every row is logged as it finishes. */
export async function runCompileSuite(o: CompileSuiteOptions): Promise<CompileRow[]> {
  const rows: CompileRow[] = [];
  const picked = COMPILE_WORKLOADS.filter((w) => o.filter === null || o.filter.some((f) => w.id.startsWith(f) || w.id.includes(f)));
  for (const backend of o.backends) {
    for (const w of picked) {
      const row: CompileRow = { backend: backend.name, workload: w.id, example: w.example === true, status: "ok" };
      rows.push(row);
      let built: ReturnType<typeof w.build> | null = null;
      let peer: { variant: Variant; dispose: () => void } | null = null;
      try {
        built = w.build(backend.device, backend.sizes);
        row.size = built.size;
        const first = await built.check();
        row.firstCompiledCallMs = first.firstCompiledMs;
        row.firstEagerCallMs = first.firstEagerMs;
        const program = built.program();
        row.traceAndPassesMs = program.compileSeconds * 1000;
        row.ops = program.ops.length;
        const kernels = program.kernels;
        row.kernels = kernels.length;
        row.fusedKernels = kernels.filter((k) => k.fused).length;
        row.opsInFusedKernels = kernels.filter((k) => k.fused).reduce((s, k) => s + k.ops.length, 0);
        row.unfusedOnDevice = kernels.filter((k) => !k.fused && k.ops.length > 1).length;
        const variants: Variant[] = [
          { id: "eager", run: built.eager },
          { id: "compiled", run: built.compiled },
        ];
        for (const x of built.extra ?? []) variants.push(x);
        if (o.jax && w.peer && backend.device === "cpu") {
          const b = backend;
          peer = await jaxVariant(o.jax, w.peer, b.sizes, () => eagerValues(w.peer!, b.device, b.sizes));
          variants.push(peer.variant);
        }
        // Calls per round: about 60 ms of work per variant (at least one call).
        const t = performance.now();
        await built.compiled();
        const each = performance.now() - t;
        const perRound = Math.max(1, Math.min(25, Math.round((o.quick ? 20 : 30) / Math.max(each, 0.01))));
        // An example step on a software GPU takes up to a second: give its verdict at least 12 paired
        // rounds (over 8-10, a model whose compiled step is within a few percent of eager's on a
        // software GPU, the CNN, came out on either side of 1 from run to run).
        const { timings, rounds } = await interleaved(variants, {
          rounds: o.quick ? 3 : backend.software ? (w.example ? 16 : 6) : 40,
          minRounds: o.quick ? 2 : backend.software && w.example ? 12 : 2,
          perRound,
          budgetMs: o.quick ? 2_000 : backend.software ? 30_000 : 12_000,
        });
        row.eager = timings["eager"];
        row.compiled = timings["compiled"];
        row.compiledOverEager = row.compiled!.medianMs / row.eager!.medianMs;
        row.compiledOverEagerSpread = ratioSpread(rounds, "compiled", "eager");
        row.compiledOverEagerPaired = row.compiledOverEagerSpread[1];
        row.rounds = rounds.length;
        row.compiledOverEagerBest = row.compiled!.minMs / row.eager!.minMs;
        if (built.extra?.length) row.extra = Object.fromEntries(built.extra.map((x) => [x.id, timings[x.id]!]));
        if (timings["eagerNoReadback"] && timings["compiledNoReadback"]) {
          row.compiledOverEagerNoReadback = timings["compiledNoReadback"].medianMs / timings["eagerNoReadback"].medianMs;
          row.compiledOverEagerNoReadbackSpread = ratioSpread(rounds, "compiledNoReadback", "eagerNoReadback");
        }
        if (timings["eagerAccumulate"] && timings["compiledDonated"]) {
          row.donatedOverEager = timings["compiledDonated"].medianMs / timings["eagerAccumulate"].medianMs;
          row.donatedOverEagerSpread = ratioSpread(rounds, "compiledDonated", "eagerAccumulate");
          if (timings["compiledDonatedAfter"]) {
            row.donatedAfterOverEager = timings["compiledDonatedAfter"].medianMs / timings["eagerAccumulate"].medianMs;
            row.donatedAfterOverEagerSpread = ratioSpread(rounds, "compiledDonatedAfter", "eagerAccumulate");
          }
        }
        if (timings["jaxJit"]) {
          row.jaxJit = timings["jaxJit"];
          row.jaxJitOverCompiled = row.jaxJit.medianMs / row.compiled!.medianMs;
          row.jaxJitOverCompiledSpread = ratioSpread(rounds, "jaxJit", "compiled");
        }
      } catch (e) {
        row.status = "failed";
        row.reason = (e instanceof Error ? e.message : String(e)).split("\n")[0];
      } finally {
        built?.dispose();
        peer?.dispose();
      }
      o.log(
        row.status === "ok"
          ? `${backend.name} | ${w.id}: eager ${fixed(row.eager?.medianMs)} ms, compiled ${fixed(row.compiled?.medianMs)} ms (x${fixed(row.compiledOverEager)} of eager; per-round median x${fixed(row.compiledOverEagerPaired)} over ${row.rounds} rounds)` +
              (row.compiledOverEagerNoReadback ? ` [without readback: x${fixed(row.compiledOverEagerNoReadback)}]` : "") +
              (row.donatedOverEager ? ` [accumulator, donated: x${fixed(row.donatedOverEager)}, allocated after eager's: x${fixed(row.donatedAfterOverEager)}]` : "") +
              (row.jaxJit ? `, jax-js jit ${fixed(row.jaxJit.medianMs)} ms (${fixed(row.jaxJitOverCompiled)}x compiled)` : "") +
              `; trace+passes ${fixed(row.traceAndPassesMs)} ms, first call ${fixed(row.firstCompiledCallMs)} ms; ${row.ops} ops in ${row.kernels} kernels, ${row.fusedKernels} fused`
          : `${backend.name} | ${w.id}: FAILED: ${row.reason}`,
      );
    }
  }
  return rows;
}
